// vnuma = [ [ "pnode=N", "size=MiB", "vcpus=A-B,C", "vdistances=x,y" ], ... ] as xl's
// parse_vnuma_config reads it, including its checks against maxvcpus=, maxmem= and the host.

import { type XlCfg, getList } from '../xlcfg/config.ts';
import { type HostTopology, cpumapBits, parseRange } from './cpumap.ts';
import { ULONG_MAX, strtoul } from '../libc/strtol.ts';
import type { Fail } from './devices-extra.ts';

export interface VnumaResult {
  nodes: Record<string, unknown>[];
  maxVcpus: number;
  maxMemkb: number;
  /** a pnode= was given: automatic NUMA placement is turned off */
  pinned: boolean;
}

/** parse_ulong: strtoul in base 10, at least one digit and not ULONG_MAX, else the message and exit 1. */
function parseUlong(s: string, fail: Fail): bigint {
  const r = strtoul(s, 10);
  if (r.end === 0 || r.value === ULONG_MAX) fail(`xl: failed to convert "${s}" to number`);
  return r.value;
}

const trim = (s: string) => s.replace(/^\s+|\s+$/g, '');

export function parseVnuma(
  cfg: XlCfg, sink: string[], fail: Fail, host: HostTopology,
  userMaxVcpus: number, userMaxMemkb: number | bigint | undefined,
): VnumaResult | undefined {
  const list = getList(cfg, 'vnuma', sink, true);
  if (!list || list.length === 0) return undefined;
  const n = list.length;
  // vcpu maps are sized for the max_vcpus known so far, or the host when there is none
  const bits = userMaxVcpus > 0 ? Math.ceil(userMaxVcpus / 8) * 8 : cpumapBits(host);
  let maxVcpus = 0;
  let maxMemkb = 0;
  let pinned = false;
  const nodes = list.map(spec => {
    // memkb stays LIBXL_MEMKB_DEFAULT (left out of the JSON) until size= sets it, to 0 too.
    const node = { memkb: undefined as number | undefined, distances: new Array<number>(n).fill(0), pnode: 0, vcpus: new Set<number>() };
    if (spec.kind !== 'list') {
      sink.push(`${cfg.source}:${spec.line}:0: warning: value is not a list`);
      fail('xl: cannot get vnode config option list');
    }
    for (const opt of spec.kind === 'list' ? spec.items : []) {
      if (opt.kind !== 'string') continue;
      const parts = opt.value.split('=').filter(p => p !== '');
      if (parts.length < 2) fail(`xl: failed to split "${opt.value}" into pair`);
      const key = trim(parts[0]);
      const value = trim(parts[1]);
      if (key === 'pnode') {
        const v = parseUlong(value, fail);
        if (v >= BigInt(host.nodeCpus.length)) fail(`xl: invalid pnode number: ${v}`);
        node.pnode = Number(v);
        pinned = true;
      } else if (key === 'size') {
        // unsigned long arithmetic: MiB << 10 wraps at 64 bits.
        node.memkb = Number(BigInt.asUintN(64, parseUlong(value, fail) << 10n));
        maxMemkb += node.memkb;
      } else if (key === 'vcpus') {
        for (const item of value.split(',').filter(p => p !== '')) {
          // xl ignores parse_range's verdict and counts a vCPU for every id from a to b. Up to
          // ULONG_MAX that loop never ends in C; here it counts as endless (too many vCPUs).
          const { a, b } = parseRange(item);
          if (b === ULONG_MAX) { maxVcpus = Infinity; continue; }
          for (let id = a; id <= b && id < BigInt(bits); id++) node.vcpus.add(Number(id));
          if (a <= b) maxVcpus += Number(b - a + 1n);
        }
      } else if (key === 'vdistances') {
        value.split(',').filter(p => p !== '').forEach((d, j) => {
          const v = parseUlong(d, fail);
          // distances are uint32_t in libxl_vnode_info.
          if (j < n) node.distances[j] = Number(BigInt.asUintN(32, v));
        });
      }
    }
    return node;
  });

  if (userMaxVcpus !== 0) {
    if (userMaxVcpus !== maxVcpus) fail('xl: vnuma vcpus and maxvcpus= mismatch');
  } else {
    if (host.nrCpus < maxVcpus) fail('xl: vnuma specifies more vcpus than pcpus, use maxvcpus= to override this check.');
  }
  if (userMaxMemkb !== undefined && userMaxMemkb !== maxMemkb) fail('xl: maxmem and vnuma memory size mismatch');

  return {
    nodes: nodes.map(nd => {
      const out: Record<string, unknown> = { memkb: nd.memkb, distances: nd.distances };
      if (nd.pnode) out.pnode = nd.pnode;
      if (nd.vcpus.size) out.vcpus = [...nd.vcpus].sort((a, b) => a - b);
      if (out.memkb === undefined) delete out.memkb;
      return out;
    }),
    maxVcpus: userMaxVcpus !== 0 ? userMaxVcpus : maxVcpus,
    maxMemkb,
    pinned,
  };
}
