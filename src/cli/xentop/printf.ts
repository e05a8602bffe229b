// The few printf conversions xentop uses, with C's results: `%*s` pads on the left, `%.Ns`
// truncates; `%W.Pf` is the C library's (formats/libc/printf.ts).

export function pad(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** `%W.Ps`: right-aligned in W, cut to P characters. */
export function padTrunc(s: string, width: number, precision: number): string {
  return pad(s.slice(0, precision), width);
}

/** `%Wllu` of a non-negative integer held in a double. */
export function uint(n: number, width: number): string {
  return pad(String(Math.floor(n)), width);
}
