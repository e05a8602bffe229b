// The physical host as `xl info` shows it (libxl_physinfo + version info).
export interface HostInfo {
  host: string;
  release: string;
  version: string;
  machine: string;
  nrCpus: number;
  maxCpuId: number;
  nrNodes: number;
  coresPerSocket: number;
  threadsPerCore: number;
  cpuKhz: number;
  totalPages: number;
  freePages: number;
  outstandingPages: number;
  freeCpus: number;
  xenMajor: number;
  xenMinor: number;
  xenExtra: string;
  xenCommandline: string;
  scheduler: string;
  /** Per pCPU: core, socket, node. */
  cpuTopology: { core: number; socket: number; node: number }[];
  /** Per NUMA node: memory size and free, MiB, and distances. */
  numa: { memsizeMiB: number; memfreeMiB: number; distances: number[] }[];
  clockMode: 'real' | 'virtual';
  /** Simulated time since host boot, ns (decimal string). */
  nowNs: string;
  /** Simulated wall clock, ms since 1970. */
  wallMs: number;
}
