// Reading `xl list` and `xl info` output in tests.
export interface ListRow { name: string; id: number; mem: number; vcpus: number; state: string; time: number }

export function parseList(out: string): ListRow[] {
  return out.trimEnd().split('\n').slice(1).map(line => {
    const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([-rbpscwSd?]{6})\s+([\d.]+)/.exec(line);
    if (!m) throw new Error(`bad xl list row: ${JSON.stringify(line)}`);
    return { name: m[1]!, id: Number(m[2]), mem: Number(m[3]), vcpus: Number(m[4]), state: m[5]!, time: Number(m[6]) };
  });
}

export function row(out: string, name: string): ListRow {
  const r = parseList(out).find(x => x.name === name);
  if (!r) throw new Error(`${name} not in xl list:\n${out}`);
  return r;
}

/** A domain's CPU seconds from `xl vcpu-list <dom>`: the sum of its vCPUs' Time(s) (more digits than xl list). */
export function vcpuSeconds(vcpuList: string): number {
  return vcpuList.trim().split('\n').slice(1).reduce((s, l) => s + Number(l.trim().split(/\s+/)[5]), 0);
}
