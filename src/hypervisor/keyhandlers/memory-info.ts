// 'm' (page_alloc.c's pagealloc_info): free memory per heap zone. A zone holds the frames whose
// highest set bit is one below its number; with a 32-bit DMA width (one node below 4 GiB) the
// zones under 4 GiB add up to the DMA heap. Xen gives domains the highest free frames first, so
// the free ones are the lowest, from 1 MiB on; x86-64 has no separate Xen heap.
import type { Hypervisor } from '../hypervisor.ts';

const PAGE_SHIFT = 12, DMA_BITSIZE = 32;
const FIRST_FREE_MFN = 0x100;

export function memoryInfo(hv: Hypervisor): string[] {
  const kb = (pages: number): number => pages * 4;
  const perZone = new Map<number, number>();
  let mfn = FIRST_FREE_MFN;
  for (let left = hv.freePages; left > 0;) {
    const zone = Math.floor(Math.log2(mfn)) + 1;
    const n = Math.min(left, 2 ** zone - mfn);
    perZone.set(zone, (perZone.get(zone) ?? 0) + n);
    mfn += n;
    left -= n;
  }
  const out = ['Physical memory information:', '    Xen heap: 0kB free'];
  let total = 0;
  for (let zone = 1; zone <= Math.max(DMA_BITSIZE - PAGE_SHIFT, ...perZone.keys()); zone++) {
    if (zone + PAGE_SHIFT === DMA_BITSIZE) { out.push(`    DMA heap: ${kb(total)}kB free`); total = 0; }
    const n = perZone.get(zone) ?? 0;
    if (n) { total += n; out.push(`    heap[${String(zone).padStart(2, '0')}]: ${kb(n)}kB free`); }
  }
  out.push(`    Dom heap: ${kb(total)}kB free`);
  return out;
}
