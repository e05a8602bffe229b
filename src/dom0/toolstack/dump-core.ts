// xl dump-core (libxl_domain_core_dump → xc_domain_dumpcore): the guest's memory and vCPU state
// as an ELF core in Xen's format, written to the file in pieces so a large guest streams to it.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { writeCore } from '../../formats/elf-core.ts';
import { pvVcpuContext } from '../../formats/save-stream/index.ts';

export function dumpCore(ts: Toolstack, domid: number, path: string): void {
  const d = ts.hv.domains.get(domid);
  const mem = d?.memory;
  if (!d || !mem) {
    throw new LibxlError('ENODOM', `xc: error: Could not get info for domain (3 = No such process): Internal error\nlibxl: error: libxl_domain.c:1361:libxl_domain_core_dump: Domain ${domid}:core dumping domain ${domid}: No such process`, 1);
  }
  const chunks = writeCore({
    autoTranslated: d.type !== 'pv',
    pfns: mem.populatedPfns(),
    copyPage: mem.copyPage.bind(mem),
    copyPages: mem.copyPages.bind(mem),
    vcpuContexts: Array.from({ length: d.maxVcpus }, (_, v) => pvVcpuContext(v < d.onlineVcpus)),
  });
  let fd: number;
  try { fd = openSync(path, 'w', 0o600); } catch (e) {
    const { errno, message } = e as NodeJS.ErrnoException;
    throw new LibxlError('EIO', `xc: error: Failed to open core file ${path} (${errno ? -errno : 2} = ${message}): Internal error\ncore dump failed (rc=-3)`, 1);
  }
  try { for (const c of chunks) writeSync(fd, c); } finally { closeSync(fd); }
}
