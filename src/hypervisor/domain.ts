// A domain as the hypervisor knows it: no names, no configs (those belong to the toolstack).

export type DomainType = 'pv' | 'pvh' | 'hvm';

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
  }

  get paused(): boolean { return this.pauseCount > 0; }

  private nextPort = 1;
  private nextGref = 8;
  /** EVTCHNOP_alloc_unbound: the next free event-channel port of this domain. */
  allocEvtchn(): number { return this.nextPort++; }
  /** A grant reference for a page this domain shares (a ring). */
  grantAccess(): number { return this.nextGref++; }
}
