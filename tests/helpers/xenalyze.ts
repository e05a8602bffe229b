// Reading the real xenalyze's --summary in tests.

/** Per-domain running seconds: the sum over its vCPUs of count × average cycles of `running:`, at `hz`. */
export function runningSeconds(summary: string, hz: number): Map<number, number> {
  const out = new Map<number, number>();
  let dom = -1, inVcpu = false;
  for (const line of summary.split('\n')) {
    const d = /^\|-- Domain (\d+) --\|/.exec(line);
    if (d) { dom = Number(d[1]); inVcpu = false; continue; }
    if (/^-- v\d+ --/.test(line)) { inVcpu = true; continue; }
    const m = /^\s+running:\s+(\d+)\s+[\d.]+s\s+(\d+)/.exec(line);
    if (m && inVcpu && dom >= 0) out.set(dom, (out.get(dom) ?? 0) + Number(m[1]) * Number(m[2]) / hz);
  }
  return out;
}
