// The few printf conversions xl's output uses, with C's semantics.
import { bytesFromText } from '../../formats/byte-text.ts';

/** C pads to a width in bytes: a name in UTF-8 takes more bytes than characters. */
const padding = (s: string, w: number) => ' '.repeat(Math.max(0, w - bytesFromText(s).length));
/** `%-Ns` */
export const left = (s: string, w: number) => s + padding(s, w);
/** `%Ns` / `%Nd` */
export const right = (s: string | number, w: number) => padding(String(s), w) + s;

/**
 * `%.{1}f` as glibc prints a double: the exact binary value rounded to one decimal, exact ties to
 * even. JavaScript's toFixed rounds the exact value too but sends ties up; with one decimal the only
 * binary-exact ties are x.25 and x.75, and only x.25 rounds differently (down to x.2).
 */
export function fixed1(x: number): string {
  const a = Math.abs(x);
  const q = a * 4;
  if (Number.isInteger(q) && q % 4 === 1 && a < 1e20) return `${x < 0 ? '-' : ''}${Math.floor(a)}.2`;
  return x.toFixed(1);
}

/** `%W.1f` of `(float)ns / 1e9`, the way xl prints CPU times (single-precision cast first). */
export function cpuSeconds(ns: string | number | bigint, width: number): string {
  return right(fixed1(Math.fround(Number(ns)) / 1e9), width);
}

/** print_bitmap: `all`, `none`, or comma-separated ranges over bits 0..n-1. */
export function formatCpuBitmap(bits: Iterable<number>, n: number): string {
  const set = new Set<number>();
  for (const b of bits) if (b >= 0 && b < n) set.add(b);
  if (set.size === n && n > 0) return 'all';
  if (set.size === 0) return 'none';
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
