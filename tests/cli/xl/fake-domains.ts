// The fixed domain set of the realxl oracle's shim (shared/tools/realxl/shim2.c), as the daemon
// would report it, so that our printers can be compared with the real xl's output over it.
import type { DomainInfo, VcpuInfo } from '../../../src/protocol/domain.ts';

const RAW: [number, string | null, string, number, number, number, number, number][] = [
  // domid, name, flags (r b p s d), shutdown reason, MiB, vcpus, seconds, pool
  [0, 'Domain-0', 'r', 0, 4096, 4, 12345.678, 0],
  [1, 'web01', 'b', 0, 2048, 2, 98.76, 0],
  [2, 'db01', 'pb', 0, 1024, 1, 0.04, 0],
  [3, 'crashy', 's', 3, 512, 1, 5.5, 1],
  [7, 'a-very-long-domain-name-exceeding-forty-characters', 'r', 0, 16384, 8, 1234567.89, 0],
  [9, 'halted', 's', 0, 256, 1, 1.0, 0],
  [11, 'dying', 'd', 0, 128, 1, 2.0, 0],
  [13, null, 'd', 0, 0, 0, 3.25, 0],
];

const uuidOf = (id: number) => {
  const b = Array.from({ length: 16 }, (_, k) => (id ? (0x10 * id + k) & 0xff : 0).toString(16).padStart(2, '0')).join('');
  return `${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20)}`;
};

export const fakeDomains: DomainInfo[] = RAW.map(([domid, name, f, reason, mb, vcpus, secs, pool]) => ({
  domid, name, uuid: uuidOf(domid), type: 'pv',
  running: f.includes('r'), blocked: f.includes('b'), paused: f.includes('p'), shutdown: f.includes('s'), dying: f.includes('d'),
  shutdownReason: reason, currentMemkb: mb * 1024, outstandingMemkb: 0, maxMemkb: mb * 1024 + 1024, targetMemkb: mb * 1024,
  vcpuOnline: vcpus, vcpuMaxId: vcpus - 1,
  // (uint64_t)(secs * 1e9), as the shim computes it
  cpuTimeNs: String(BigInt(Math.trunc(secs * 1e9))),
  ssidref: 0, cpupool: pool, poolName: pool === 1 ? 'fastpool' : 'Pool-0', uptimeSec: 0,
}));

const bits = (mask: number) => Array.from({ length: 8 }, (_, i) => i).filter(i => mask & (1 << i));

/** xc_vcpu_getinfo / getaffinity of the shim, for vcpu-list. */
export const fakeVcpus: VcpuInfo[] = fakeDomains.filter(d => d.name !== null && d.vcpuOnline > 0).flatMap(d =>
  Array.from({ length: d.vcpuMaxId + 1 }, (_, v) => {
    const running = (d.domid === 0 && v === 0) || d.domid === 7;
    const hard = d.domid === 2 ? 0x0c : d.domid === 3 ? 0x01 : d.domid === 7 ? 0xad : 0xff;
    return {
      domid: d.domid, name: d.name!, vcpuid: v, online: !(d.domid === 1 && v === 1), running, blocked: !running,
      cpu: (v * 3 + d.domid) % 8, cpuTimeNs: String(BigInt(Math.trunc((d.domid * 100.0 + v * 12.34 + 0.05) * 1e9))),
      hard: bits(hard), soft: bits(d.domid === 3 ? 0xf0 : 0xff),
    };
  }));
