// A domain as the hypervisor knows it: no names, no configs (those belong to the toolstack).
import { GuestMemory } from './guest-memory.ts';
import { GrantTable, OPT_MAX_GRANT_FRAMES, OPT_MAX_MAPTRACK_FRAMES, PAGE_SIZE } from './grant-table.ts';
import { DEFAULT_MAX_EVTCHN_PORT, EvtchnTable } from './event-channel.ts';

/** Where the toolstack's special pages start (the xenstore and console pages are there). */
export const SPECIAL_PFN_FIRST = 0xfeff0;

export type DomainType = 'pv' | 'pvh' | 'hvm';

/** What the guest's kernel set up to receive from its platform: its NMI callback, and (HVM) the ACPI SCI the PM1a events raise. */
export interface GuestPlatform {
  nmi(vcpu: number): void;
  acpiButton(button: 'power' | 'sleep'): void;
  /** Woken from S3 (hvm_s3_resume). */
  s3Resumed(): void;
}

export interface VcpuAffinity { hard: number[] | null; soft: number[] | null }

export interface DomainSpec {
  type: DomainType;
  uuid: string;
  maxVcpus: number;
  onlineVcpus: number;
  /** Hypervisor maxmem, KiB; -1 = unlimited. */
  maxMemkb: number;
  /** Initial allocation, KiB. */
  memkb: number;
  weight: number;
  cap: number;
  poolId: number;
  affinity: VcpuAffinity[];
  ssidref?: number;
  /** max_grant_frames, max_maptrack_frames and max_event_channels; Xen's defaults when unset. */
  maxGrantFrames?: number;
  maxMaptrackFrames?: number;
  maxEvtchnPort?: number;
}

export class Domain {
  readonly domid: number;
  uuid: string;
  readonly type: DomainType;
  maxVcpus: number;
  onlineVcpus: number;
  maxPages: number;
  totPages: number;
  pauseCount = 0;
  shutdown = false;
  shutdownReason = 0;
  dying = false;
  weight: number;
  cap: number;
  poolId: number;
  affinity: VcpuAffinity[];
  readonly createdNs: bigint;
  ssidref: number;
  /** CPU time carried over from before a daemon restart, per vCPU (ns). */
  cpuBaseNs: bigint[];
  /** p2m size of the guest's memory (0: not modelled, as for Dom0) and the seed of its contents. */
  memoryPages = 0;
  memorySeed = 0;
  private mem: GuestMemory | null = null;
  /** The special pages above RAM (xenstore, console), made scrubbed when first touched. */
  private readonly special = new Map<number, Buffer>();
  readonly grantTable: GrantTable;
  readonly evtchn: EvtchnTable;
  platform: GuestPlatform | null = null;
  /** vCPUs with an NMI not yet taken (arch.nmi_pending): taken once the domain runs. */
  nmiPending = new Set<number>();
  /** In ACPI S3 (arch.hvm.is_s3_suspended): paused until an s3resume. */
  s3Suspended = false;
  /** Per vCPU: where it was when the domain last stopped (see vcpu-context.ts). */
  vcpuStops: { cpuNs: bigint; idle: boolean }[] = [];
  /** Per vCPU: a context set by the toolstack (a restore's X86_PV_VCPU_BASIC), until the domain runs again. */
  vcpuContextsSet: (Buffer | undefined)[] = [];

  /**
   * The guest's physical memory, made on first use (most guests never need its bytes): until
   * then its populated pages are simply the lowest totPages pfns.
   */
  get memory(): GuestMemory | null {
    if (!this.mem && this.memoryPages > 0) {
      this.mem = new GuestMemory(this.memoryPages, { seed: this.memorySeed, populated: false });
      populateLowest(this.mem, this.totPages);
    }
    return this.mem;
  }
  set memory(m: GuestMemory | null) { this.mem = m; }
  /** Whether the memory exists yet (allocation changes must then be applied to it). */
  get memoryMade(): boolean { return this.mem !== null; }

  constructor(domid: number, spec: DomainSpec, nowNs: bigint) {
    this.domid = domid;
    this.uuid = spec.uuid;
    this.type = spec.type;
    this.maxVcpus = spec.maxVcpus;
    this.onlineVcpus = spec.onlineVcpus;
    this.maxPages = spec.maxMemkb < 0 ? -1 : Math.ceil(spec.maxMemkb / 4);
    this.totPages = 0;
    this.weight = spec.weight;
    this.cap = spec.cap;
    this.poolId = spec.poolId;
    this.affinity = spec.affinity;
    this.createdNs = nowNs;
    this.ssidref = spec.ssidref ?? 0;
    this.cpuBaseNs = Array.from({ length: spec.maxVcpus }, () => 0n);
    this.grantTable = new GrantTable(domid, spec.maxGrantFrames ?? OPT_MAX_GRANT_FRAMES, spec.maxMaptrackFrames ?? OPT_MAX_MAPTRACK_FRAMES);
    this.evtchn = new EvtchnTable(domid, spec.maxEvtchnPort ?? DEFAULT_MAX_EVTCHN_PORT, spec.maxVcpus);
  }

  /**
   * Whether `gfn` is a populated frame (before the memory is made, the lowest totPages are).
   * The special pages the toolstack populates for the guest (xenstore, console) sit above RAM.
   */
  frameValid(gfn: number): boolean {
    if (this.memoryPages === 0 || gfn >= SPECIAL_PFN_FIRST) return true;
    if (gfn < 0 || gfn >= this.memoryPages) return false;
    return this.mem ? this.mem.populated(gfn) : gfn < this.totPages;
  }

  get paused(): boolean { return this.pauseCount > 0; }

  /**
   * The live bytes of a frame the guest shares with Dom0: a special page, or a page its kernel
   * shares (a ring); null for any other frame.
   */
  sharedFrame(gfn: number): Buffer | null {
    if (gfn >= SPECIAL_PFN_FIRST) {
      let page = this.special.get(gfn);
      if (!page) this.special.set(gfn, page = Buffer.alloc(PAGE_SIZE));
      return page;
    }
    return this.mem?.isKernelPage(gfn) ? this.mem.sharedPage(gfn) : null;
  }

  /** The special pages in use, ascending (a core dump holds them with RAM). */
  specialPfns(): number[] { return [...this.special.keys()].sort((a, b) => a - b); }
}

/** A per-domain seed for page contents, so two guests never have the same memory. */
export function memorySeed(uuid: string, domid: number): number {
  let h = 0x811c9dc5 ^ domid;
  for (let i = 0; i < uuid.length; i++) h = Math.imul(h ^ uuid.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** populate_physmap for `n` pages: the lowest unpopulated pfns (as a booting guest's p2m fills). */
export function populateLowest(mem: GuestMemory, n: number): void {
  const pfns: number[] = [];
  for (let pfn = 0; pfn < mem.nrPages && pfns.length < n; pfn++) if (!mem.populated(pfn)) pfns.push(pfn);
  mem.populate(pfns);
}

/** decrease_reservation for `n` pages: the balloon gives back the top of memory first, never a page the kernel shares. */
export function releaseHighest(mem: GuestMemory, n: number): void {
  const pfns: number[] = [];
  for (let pfn = mem.nrPages - 1; pfn >= 0 && pfns.length < n; pfn--) if (mem.populated(pfn) && !mem.isKernelPage(pfn)) pfns.push(pfn);
  mem.decreaseReservation(pfns);
}
