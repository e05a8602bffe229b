// Parses xentop batch output line by line with patterns from the real printf formats (xentop.c's
// field printers and extra-line formats), independently of our printer. Column widths come from
// the last header, as they grow per refresh. A line that fits none of the formats is an error.

export interface Row {
  name: string; state: string; cpuSec: number; cpuPct: number; memKb: number; memPct: number;
  maxMemKb: number | null; maxMemPct: number | null; vcpus: number; nets: number; netTxK: number; netRxK: number;
  vbds: number; vbdOo: number; vbdRd: number; vbdWr: number; vbdRsect: number; vbdWsect: number; ssid: number;
}

const HEADER = /^ *NAME +STATE +CPU\(sec\) CPU\(%\) +MEM\(k\) MEM\(%\) +MAXMEM\(k\) MAXMEM\(%\) VCPUS NETS +NETTX\(k\) +NETRX\(k\) VBDS +VBD_OO +VBD_RD +VBD_WR +VBD_RSECT +VBD_WSECT SSID$/;
const VCPUS = /^(VCPUs\(sec\): |        )( [ \d]\d: +\d+s)+$/;
// "%8llu" after a literal space: one to eight spaces before the digits (more digits, one space).
const c8 = ' {1,8}\\d+', d8 = ' {1,8}[\\d-]+', d10 = ' {1,10}[\\d-]+';
const NET = new RegExp(`^Net\\d+ RX:${c8}bytes${c8}pkts${c8}err${c8}drop  TX:${c8}bytes${c8}pkts${c8}err${c8}drop$`);
const VBD = new RegExp(`^VBD (Unidentified|BlkBack|BlkTap) {1,4}\\d+ \\[[ \\da-f]{2}:[ \\da-f]{2}\\]  OO:${d8}   RD:${d8}   WR:${d8}   RSECT:${d10}   WSECT:${d10}$`);

// Each field's printf conversion, as a pattern for the field's text once cut to its width.
const NUM = /^ *\d+$/;                      // %*llu, %*u
const PCT = /^ *-?\d+\.\d$/;                // %*.1f
const FIELD_FORMATS: RegExp[] = [
  /^.+$/,                                  // NAME: %10.10s or %*s
  /^[d-][s-][b-][c-][p-][r-]$/,            // STATE: one letter or '-' per flag
  NUM, PCT, NUM, PCT,
  /^( *\d+| *no limit)$/, /^( *-?\d+\.\d| *n\/a)$/,
  NUM, NUM, NUM, NUM, NUM,
  /^( *\d+| *-)$/, /^( *\d+| *-)$/, /^( *\d+| *-)$/, /^( *\d+| *-)$/, /^( *\d+| *-)$/,
  NUM,
];

/** Column spans from a header line: each header is right-aligned (%*s) in its column, one space apart. */
function columns(header: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (const m of header.matchAll(/\S+/g)) {
    const end = m.index! + m[0].length;
    spans.push([start, end]);
    start = end + 1;
  }
  return spans;
}

export type Line = { kind: 'header' } | { kind: 'row'; row: Row } | { kind: 'vcpus' } | { kind: 'net' } | { kind: 'vbd' };

export function parseBatch(out: string): Line[] {
  let spans: [number, number][] = [];
  return out.replace(/\n$/, '').split('\n').map((line, i): Line => {
    if (HEADER.test(line)) { spans = columns(line); return { kind: 'header' }; }
    if (VCPUS.test(line)) return { kind: 'vcpus' };
    if (NET.test(line)) return { kind: 'net' };
    if (VBD.test(line)) return { kind: 'vbd' };
    const fail = () => new Error(`line ${i + 1} fits no xentop format: ${JSON.stringify(line)}`);
    if (spans.length !== 19 || line.length !== spans[18][1]) throw fail();
    const m = ['', ...spans.map(([a, b], k) => {
      if (k > 0 && line[a - 1] !== ' ') throw fail();
      const text = line.slice(a, b);
      if (!FIELD_FORMATS[k].test(text)) throw fail();
      return text;
    })];
    const n = (k: number) => Number(m[k].trim());
    const opt = (k: number) => (/\d/.test(m[k]) ? n(k) : null);
    return { kind: 'row', row: {
      name: m[1].trim(), state: m[2], cpuSec: n(3), cpuPct: n(4), memKb: n(5), memPct: n(6), maxMemKb: opt(7), maxMemPct: opt(8),
      vcpus: n(9), nets: n(10), netTxK: n(11), netRxK: n(12), vbds: n(13), vbdOo: n(14), vbdRd: n(15), vbdWr: n(16),
      vbdRsect: n(17), vbdWsect: n(18), ssid: n(19),
    } };
  });
}
