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
  // The special pages (xenstore, console) follow RAM, as they follow it in the guest's p2m.
  const ram = mem.populatedPfns(), special = d.specialPfns();
  const pfns = new Uint32Array(ram.length + special.length);
  pfns.set(ram);
  pfns.set(special, ram.length);
  const chunks = writeCore({
    autoTranslated: d.type !== 'pv',
    pfns,
    copyPage: (pfn, into, offset) => { if (pfn < mem.nrPages) mem.copyPage(pfn, into, offset); else d.sharedFrame(pfn)!.copy(into, offset); },
    copyPages: (batch, into, offset = 0) => {
      let n = 0;
      while (n < batch.length && batch[n]! < mem.nrPages) n++;
      mem.copyPages(Array.prototype.slice.call(batch, 0, n) as number[], into, offset);
      for (let i = n; i < batch.length; i++) d.sharedFrame(batch[i]!)!.copy(into, offset + i * 4096);
    },
    vcpuContexts: Array.from({ length: d.maxVcpus }, (_, v) => pvVcpuContext(v < d.onlineVcpus)),
  });
  let fd: number;
  try { fd = openSync(path, 'w', 0o600); } catch (e) {
    const { errno, message } = e as NodeJS.ErrnoException;
    throw new LibxlError('EIO', `xc: error: Failed to open core file ${path} (${errno ? -errno : 2} = ${message}): Internal error\ncore dump failed (rc=-3)`, 1);
  }
  try { for (const c of chunks) writeSync(fd, c); } finally { closeSync(fd); }
}
