// xentrace -c: a 32-bit hex mask ("0x5"), "all", or CPU ranges ("0,2-3", "-3", "3-"), parsed as
// parse_cpumask_range() does (including its quirks: "N-" and "0-0" run to the last CPU), and
// the `change cpumask to 0x...` line it prints, bytes from the top of the map down.
import { argtol } from './options.ts';

export class CpuMaskError extends Error {
  constructor(readonly stderr: string) { super(stderr || 'bad cpu mask'); }
}

/** The map as bytes (xc_cpumap_t, one bit per CPU) for a host of `nrCpus`. */
export function parseCpuMask(s: string, nrCpus: number): Uint8Array {
  const size = (nrCpus + 7) >> 3;
  // One spare byte: print_cpu_mask reads map[size] too.
  const map = new Uint8Array(Math.max(size + 1, 4));
  if (s.length < 1) throw new CpuMaskError('');
  if (s.startsWith('0x')) {
    const v = argtol(s) >>> 0;
    for (let i = 0; i < 4; i++) map[i] = (v >>> (i * 8)) & 0xff;
    return map;
  }
  if (s === 'all') { map.fill(0xff, 0, size); return map; }
  let k = 0;
  let c: string | undefined;
  do {
    let inRange = false, a = 0, b = 0;
    for (c = s[k++]; c !== undefined && c !== ','; c = s[k++]) {
      if (c === '-') {
        if (inRange) throw new CpuMaskError('');
        b = 0; inRange = true;
        continue;
      }
      if (!/[0-9]/.test(c)) throw new CpuMaskError(`Invalid character in cpumask: ${s}\n`);
      b = b * 10 + Number(c);
      if (!inRange) a = b;
    }
    if (b === 0 && inRange) b = nrCpus - 1;
    if (a > b) throw new CpuMaskError(`Wrong order of ${a} and ${b}\n`);
    if (b >= nrCpus) throw new CpuMaskError('Specified higher value then there are CPUS!\n');
    for (; a <= b; a++) map[a >> 3]! |= 1 << (a & 7);
  } while (c !== undefined);
  return map;
}

/** The CPUs of the map that the host has (Xen ignores the others). */
export function cpusOf(map: Uint8Array, nrCpus: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < nrCpus; c++) if ((map[c >> 3]! >> (c & 7)) & 1) out.push(c);
  return out;
}

export function printCpuMask(map: Uint8Array, nrCpus: number): string {
  let out = 'change cpumask to 0x';
  let printed = false;
  for (let i = (nrCpus + 7) >> 3; i >= 0; i--) {
    const v = map[i] ?? 0;
    if (v || printed || i === 0) {
      out += printed ? v.toString(16).padStart(2, '0') : v.toString(16);
      printed = true;
    }
  }
  return out + '\n';
}
