// The guest kernel's memory counters (/proc/meminfo, in KiB) for a domain of `totalKb`: what a
// small Debian guest shows after boot. The balloon driver moves MemTotal with the domain's
// memory, as Linux's does; the rest are fixed shares, capped for large guests. Deterministic.

export interface Meminfo {
  MemTotal: number; MemFree: number; MemAvailable: number; Buffers: number; Cached: number;
  Shmem: number; SReclaimable: number; SwapTotal: number; SwapFree: number;
  CommitLimit: number; Committed_AS: number;
}

const MiB = 1024;
const share = (total: number, frac: number, cap: number): number => Math.min(Math.floor(total * frac), cap);

export function guestMeminfo(totalKb: number): Meminfo {
  // Memory the kernel keeps for itself before counting: its image, early allocations and one
  // struct page (64 bytes) per 4 KiB page.
  const MemTotal = Math.max(0, totalKb - Math.min(Math.floor(totalKb / 64) + 14 * MiB, Math.floor(totalKb / 2)));
  const processes = share(MemTotal, 0.3, 40 * MiB);
  const Buffers = share(MemTotal, 0.01, 4 * MiB);
  const Cached = share(MemTotal, 0.12, 96 * MiB);
  const SReclaimable = share(MemTotal, 0.04, 16 * MiB);
  const Shmem = share(MemTotal, 0.004, MiB);
  const MemFree = MemTotal - processes - Buffers - Cached - SReclaimable;
  // si_mem_available(): free memory above the low watermark, plus the page cache and reclaimable
  // slab that can be freed without dropping below it.
  const wmarkLow = Math.floor(MemTotal / 128);
  const pageCache = Buffers + Cached - Shmem;
  const avail = MemFree - wmarkLow + pageCache - Math.min(Math.floor(pageCache / 2), wmarkLow)
    + SReclaimable - Math.min(Math.floor(SReclaimable / 2), wmarkLow);
  return {
    MemTotal, MemFree, MemAvailable: Math.max(0, avail), Buffers, Cached, Shmem, SReclaimable,
    SwapTotal: 0, SwapFree: 0,
    CommitLimit: Math.floor(MemTotal / 2), Committed_AS: Math.floor(processes * 1.5),
  };
}
