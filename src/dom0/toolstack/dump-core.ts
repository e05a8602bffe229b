// xl dump-core (libxl_domain_core_dump → xc_domain_dumpcore): the guest's memory and vCPU state
// as an ELF core in Xen's format, produced in pieces so a large guest streams to the file.
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { writeCore } from '../../formats/elf-core.ts';
import { pvVcpuContext } from '../../formats/save-stream/index.ts';

export function dumpCore(ts: Toolstack, domid: number): Generator<Buffer> {
  const d = ts.hv.domains.get(domid);
  const mem = d?.memory;
  if (!d || !mem) {
    throw new LibxlError('ENODOM', `xc: error: Could not get info for domain (3 = No such process): Internal error\nlibxl: error: libxl_domain.c:1361:libxl_domain_core_dump: Domain ${domid}:core dumping domain ${domid}: No such process`, 1);
  }
  return writeCore({
    autoTranslated: d.type !== 'pv',
    pfns: mem.populatedPfns(),
    copyPage: mem.copyPage.bind(mem),
    copyPages: mem.copyPages.bind(mem),
    vcpuContexts: Array.from({ length: d.maxVcpus }, (_, v) => pvVcpuContext(v < d.onlineVcpus)),
  });
}
