// Platform Shared Resource monitoring and allocation (Xen's psr.c) over a model of what each
// domain does to the L3 cache and the memory bus. Cache monitoring counts per RMID, given to a
// domain by psr-cmt-attach; allocation gives each domain a class of service per socket, holding
// its L3 capacity bitmask and its memory bandwidth throttle.
//
// The model, evaluated when asked (the same answer whenever the same times are asked about):
// between two looks a domain's working set is CACHE_PER_CPU for each CPU's worth of time it ran
// plus the memory it wrote in the last DIRTY_LINGER_NS; its occupancy moves towards that working
// set, capped by the ways its CBM gives it, with time constant FILL_TAU_NS. Its memory traffic is
// what it writes plus the misses of its computation, which grow as the cap cuts its working set;
// the MBA throttle delays that traffic by its percentage. The L3 of each socket is shared evenly
// by the domain's work (a domain runs on every socket's pCPUs alike).
import { HypervisorError } from '../errors.ts';
import { CAT_COS_MAX, CBM_LEN, DEFAULT_CBM, L3_KB, MBA_COS_MAX, RMID_MAX, UPSCALING_FACTOR, cbmValid, sanitizeThrtl, waysOf, type CmtType } from './rdt.ts';

const PAGE = 4096;
const CACHE_PER_CPU = 12 * 1024 * 1024;
const DIRTY_LINGER_NS = 500_000_000;
const FILL_TAU_NS = 200_000_000;
/** Memory reads of one CPU's worth of computation whose working set fits the cache, and when none of it does (bytes/s). */
const READS_HIT = 256 * 1024 * 1024;
const READS_MISS = 2 * 1024 * 1024 * 1024;

export interface QosSource {
  nrSockets: number;
  /** Does the domain exist? (Settings recorded for a domain that did not come back hold nothing.) */
  exists: (domid: number) => boolean;
  /** A domain's CPU time so far (ns). */
  cpuTimeNs: (domid: number) => number;
  /** Pages its workload has written so far. */
  pagesWritten: (domid: number) => number;
}

interface DomainQos {
  rmid: number;
  at: number;
  cpuNs: number;
  pages: number;
  /** Per socket: occupancy (bytes), and total memory traffic so far (bytes) with its current rate (bytes/s). */
  occupancy: number[];
  traffic: number[];
  rate: number[];
  /** Per socket: L3 CBM and MBA throttle. */
  cbm: number[];
  thrtl: number[];
}

/** libxl_psr_type, as the toolstack names the values it sets. */
export type PsrType = 'l3-cbm' | 'l3-cbm-code' | 'l3-cbm-data' | 'l2-cbm' | 'mba-thrtl';

const err = (errno: string, text: string): HypervisorError => new HypervisorError(errno, text);

export class PlatformQos {
  private readonly doms = new Map<number, DomainQos>();

  constructor(private readonly src: QosSource) {}

  private dom(domid: number, now: number): DomainQos {
    let d = this.doms.get(domid);
    if (!d) {
      const n = this.src.nrSockets;
      d = {
        rmid: 0, at: now, cpuNs: this.src.cpuTimeNs(domid), pages: this.src.pagesWritten(domid),
        occupancy: new Array<number>(n).fill(0), traffic: new Array<number>(n).fill(0), rate: new Array<number>(n).fill(0),
        cbm: new Array<number>(n).fill(DEFAULT_CBM), thrtl: new Array<number>(n).fill(0),
      };
      this.doms.set(domid, d);
    }
    return d;
  }

  private live(): DomainQos[] { return [...this.doms].filter(([domid]) => this.src.exists(domid)).map(([, d]) => d); }

  /** Per domain its RMID and per socket its CBM and throttle: what stays with the running Xen when the daemon restarts. */
  settings(): { domid: number; rmid: number; cbm: number[]; thrtl: number[] }[] {
    return [...this.doms].filter(([domid]) => this.src.exists(domid)).map(([domid, d]) => ({ domid, rmid: d.rmid, cbm: d.cbm, thrtl: d.thrtl }));
  }

  /** Make the settings those of `list` (recorded by settings()): domains it leaves out get the defaults. */
  restoreSettings(list: { domid: number; rmid: number; cbm: number[]; thrtl: number[] }[], now: bigint): void {
    for (const d of this.doms.values()) { d.rmid = 0; d.cbm.fill(DEFAULT_CBM); d.thrtl.fill(0); }
    for (const x of list) {
      const d = this.dom(x.domid, Number(now));
      if (!this.src.exists(x.domid)) d.cpuNs = -1;
      d.rmid = x.rmid;
      x.cbm.slice(0, d.cbm.length).forEach((v, s) => { d.cbm[s] = v; });
      x.thrtl.slice(0, d.thrtl.length).forEach((v, s) => { d.thrtl[s] = v; });
    }
  }

  /** A domain is gone: its RMID and classes of service are free again. */
  removeDomain(domid: number): void { this.doms.delete(domid); }

  /** Run the model of a domain up to `now`. */
  private update(domid: number, now: number): DomainQos {
    const d = this.dom(domid, now);
    const dt = now - d.at;
    const cpuNs = this.src.cpuTimeNs(domid), pages = this.src.pagesWritten(domid);
    // Settings restored before their domain came back: its counters start from here.
    if (d.cpuNs < 0) { d.at = now; d.cpuNs = cpuNs; d.pages = pages; return d; }
    if (dt <= 0) return d;
    const cpus = (cpuNs - d.cpuNs) / dt, written = (pages - d.pages) * PAGE;
    const n = this.src.nrSockets;
    const workingSet = (cpus * CACHE_PER_CPU + written * Math.min(1, DIRTY_LINGER_NS / dt)) / n;
    for (let s = 0; s < n; s++) {
      const capacity = L3_KB * 1024 * waysOf(d.cbm[s]!) / CBM_LEN;
      const target = Math.min(workingSet, capacity);
      d.occupancy[s]! += (target - d.occupancy[s]!) * (1 - Math.exp(-dt / FILL_TAU_NS));
      const fits = workingSet > 0 ? Math.min(1, capacity / workingSet) : 1;
      const reads = cpus * (READS_HIT * fits + READS_MISS * (1 - fits)) / n;
      d.rate[s] = (reads + written * 1e9 / dt / n) * (100 - d.thrtl[s]!) / 100;
      d.traffic[s]! += d.rate[s]! * dt / 1e9;
    }
    d.at = now; d.cpuNs = cpuNs; d.pages = pages;
    return d;
  }

  // ---- XEN_DOMCTL_psr_cmt_op / XEN_SYSCTL_psr_cmt_op -----------------------------------------

  /** psr_alloc_rmid: the lowest free RMID; counting starts from nothing. */
  attach(domid: number, now: bigint): void {
    const d = this.update(domid, Number(now));
    if (d.rmid > 0) throw err('EEXIST', 'File exists');
    const used = new Set(this.live().map(x => x.rmid));
    let rmid = 1;
    while (rmid <= RMID_MAX && used.has(rmid)) rmid++;
    if (rmid > RMID_MAX) throw err('EOVERFLOW', 'Value too large for defined data type');
    d.rmid = rmid;
    d.occupancy.fill(0);
    d.traffic.fill(0);
  }

  detach(domid: number): void {
    const d = this.doms.get(domid);
    if (!d || d.rmid === 0) throw err('ENOENT', 'No such file or directory');
    d.rmid = 0;
  }

  rmid(domid: number): number { return this.doms.get(domid)?.rmid ?? 0; }

  /**
   * One monitoring sample of an attached domain on a socket: occupancy in bytes (a whole number
   * of counter units), or the bandwidth in bytes/s that xl works out from two samples.
   */
  sample(domid: number, type: CmtType, socket: number, now: bigint): number {
    const d = this.update(domid, Number(now));
    if (type === 'cache-occupancy') return Math.floor(d.occupancy[socket]! / UPSCALING_FACTOR) * UPSCALING_FACTOR;
    return Math.round(d.rate[socket]!);
  }

  // ---- XEN_DOMCTL_psr_alloc ----------------------------------------------------------------

  getCbm(domid: number, socket: number): number { return this.doms.get(domid)?.cbm[socket] ?? DEFAULT_CBM; }
  getThrtl(domid: number, socket: number): number { return this.doms.get(domid)?.thrtl[socket] ?? 0; }

  /**
   * psr_set_val: a feature this CPU lacks (L2 CAT, CDP) is ENOENT; a value is checked (and a
   * throttle rounded), then given a class of service.
   */
  setVal(domid: number, socket: number, type: PsrType, value: bigint, now: bigint): void {
    if (socket >= this.src.nrSockets) throw err('ERANGE', 'Numerical result out of range');
    if (type !== 'l3-cbm' && type !== 'mba-thrtl') throw err('ENOENT', 'No such file or directory');
    if (type === 'l3-cbm') {
      if (!cbmValid(value)) throw err('EINVAL', 'Invalid argument');
      this.apply(domid, socket, now, d => { d.cbm[socket] = Number(value); });
      return;
    }
    const t = sanitizeThrtl(value);
    if (t === null) throw err('EINVAL', 'Invalid argument');
    this.apply(domid, socket, now, d => { d.thrtl[socket] = t; });
  }

  /**
   * Change a domain's settings on a socket if the classes of service allow: COS 0 holds the
   * defaults, every other distinct (CBM, throttle) pair needs one of its own, and a non-default
   * throttle needs one MBA has (MBA has fewer).
   */
  private apply(domid: number, socket: number, now: bigint, change: (d: DomainQos) => void): void {
    const d = this.update(domid, Number(now));
    const before = { cbm: d.cbm[socket]!, thrtl: d.thrtl[socket]! };
    change(d);
    const classes = new Set<string>(), throttled = new Set<string>();
    for (const x of this.live()) {
      const cbm = x.cbm[socket]!, thrtl = x.thrtl[socket]!;
      if (cbm === DEFAULT_CBM && thrtl === 0) continue;
      classes.add(`${cbm}:${thrtl}`);
      if (thrtl !== 0) throttled.add(`${cbm}:${thrtl}`);
    }
    if (classes.size > CAT_COS_MAX || throttled.size > MBA_COS_MAX) {
      d.cbm[socket] = before.cbm; d.thrtl[socket] = before.thrtl;
      throw err('EOVERFLOW', 'Value too large for defined data type');
    }
  }
}
