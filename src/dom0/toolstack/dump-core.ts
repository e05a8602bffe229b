// xl dump-core (libxl_domain_core_dump → xc_domain_dumpcore): the guest's memory and vCPU state
// as an ELF core in Xen's format, produced in pieces so a large guest streams to the file.
import type { Toolstack } from './toolstack.ts';
import { ToolError } from '../../protocol/wire.ts';
import { writeCore } from '../../formats/elf-core.ts';
import { pvVcpuContext } from '../../formats/save-stream/index.ts';

export function dumpCore(ts: Toolstack, domid: number): Generator<Buffer> {
  const d = ts.hv.domains.get(domid);
  const mem = d?.memory;
  if (!d || !mem) {
    throw new ToolError('ENODOM', `xc: error: Could not get info for domain (3 = No such process): Internal error\nlibxl: error: libxl_domain.c:1361:libxl_domain_core_dump: Domain ${domid}:core dumping domain ${domid}: No such process`, 1);
  }
  // The special pages (xenstore, console) follow RAM, as they follow it in the guest's p2m.
  const ram = mem.populatedPfns(), special = d.specialPfns();
  const pfns = new Uint32Array(ram.length + special.length);
  pfns.set(ram);
  pfns.set(special, ram.length);
  return writeCore({
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
}
