// The few printf conversions xentop uses, with C's results: `%*s` pads on the left, `%.Ns`
// truncates, both counting bytes (a UTF-8 name is wider in bytes than in characters, and a cut
// may fall inside a character); `%W.Pf` is the C library's (formats/libc/printf.ts).
import { bytesFromText, textFromBytes } from '../../formats/byte-text.ts';

/** Text of ASCII characters only: as many bytes as characters. */
const ASCII = /^[\x00-\x7f]*$/;

/** `%*s`: right-aligned in `width` bytes (counted without encoding the common ASCII case: a table of 1,000 rows pads thousands of cells). */
export function pad(s: string, width: number): string {
  const n = ASCII.test(s) ? s.length : bytesFromText(s).length;
  return n >= width ? s : ' '.repeat(width - n) + s;
}

/** `%W.Ps`: right-aligned in W, cut to P bytes. */
export function padTrunc(s: string, width: number, precision: number): string {
  return pad(textFromBytes(bytesFromText(s).subarray(0, precision)), width);
}

/** `%Wllu` of a non-negative integer held in a double. */
export function uint(n: number, width: number): string {
  return pad(String(Math.floor(n)), width);
}
