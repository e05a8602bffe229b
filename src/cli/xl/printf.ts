// The few printf conversions xl's output uses, with C's semantics.
import { formatFixedWidth } from '../../formats/libc/printf.ts';
import { bytesFromText } from '../../formats/byte-text.ts';

/** C pads to a width in bytes: a name in UTF-8 takes more bytes than characters. */
const padding = (s: string, w: number) => ' '.repeat(Math.max(0, w - bytesFromText(s).length));
/** `%-Ns` */
export const left = (s: string, w: number) => s + padding(s, w);
/** `%Ns` / `%Nd` */
export const right = (s: string | number, w: number) => padding(String(s), w) + s;

/** `%W.1f` of `(float)ns / 1e9`, the way xl prints CPU times (single-precision cast first). */
export function cpuSeconds(ns: string | number | bigint, width: number): string {
  return formatFixedWidth(Math.fround(Number(ns)) / 1e9, width, 1);
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
