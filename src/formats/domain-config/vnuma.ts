// vnuma = [ [ "pnode=N", "size=MiB", "vcpus=A-B,C", "vdistances=x,y" ], ... ] as xl's
// parse_vnuma_config reads it, including its checks against maxvcpus=, maxmem= and the host.

import { type XlCfg, getList } from '../xlcfg/config.ts';
import { type HostTopology, cpumapBits } from './cpumap.ts';
import type { Fail } from './devices-extra.ts';

export interface VnumaResult {
  nodes: Record<string, unknown>[];
  maxVcpus: number;
  maxMemkb: number;
  /** a pnode= was given: automatic NUMA placement is turned off */
  pinned: boolean;
}

/** strtoul(s, .., 10) as xl's parse_range uses it, without its error checks. */
function leadingUlong(s: string): [number, string] {
  const m = /^[ \t\n\v\f\r]*\+?(\d*)/.exec(s)!;
  return [m[1] ? Number(m[1]) : 0, s.slice(m[0].length)];
}

/** parse_ulong: base 10, at least one digit, else the message and exit 1. */
function parseUlong(s: string, fail: Fail): number {
  const m = /^[ \t\n\v\f\r]*\+?(\d+)/.exec(s);
  if (!m) fail(`xl: failed to convert "${s}" to number`);
  return Number(m![1]);
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
    const node = { memkb: 0, distances: new Array<number>(n).fill(0), pnode: 0, vcpus: new Set<number>() };
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
        if (v >= host.nodeCpus.length) fail(`xl: invalid pnode number: ${v}`);
        node.pnode = v;
        pinned = true;
      } else if (key === 'size') {
        node.memkb = parseUlong(value, fail) * 1024;
        maxMemkb += node.memkb;
      } else if (key === 'vcpus') {
        for (const item of value.split(',').filter(p => p !== '')) {
          let [s, rest] = leadingUlong(item);
          let e = s;
          if (rest.startsWith('-')) e = leadingUlong(rest.slice(1))[0];
          for (; s <= e; s++) {
            if (s < bits) node.vcpus.add(s);
            maxVcpus++;
          }
        }
      } else if (key === 'vdistances') {
        value.split(',').filter(p => p !== '').forEach((d, j) => {
          const v = parseUlong(d, fail);
          if (j < n) node.distances[j] = v;
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
      const out: Record<string, unknown> = { memkb: nd.memkb || undefined, distances: nd.distances };
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
