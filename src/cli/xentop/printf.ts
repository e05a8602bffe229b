// The few printf conversions xentop uses, with C's results: `%*s` pads on the left, `%.Ns`
// truncates, and `%.Nf` rounds an exact tie to even (6.25 → "6.2"), where toFixed rounds it up.

export function pad(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** `%W.Ps`: right-aligned in W, cut to P characters. */
export function padTrunc(s: string, width: number, precision: number): string {
  return pad(s.slice(0, precision), width);
}

/** `%.Pf` of a double as glibc prints it (round half to even on the exact binary value). */
export function fixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  // Only a value near a tie needs its exact expansion (toFixed(100) is slow).
  const scaled = Math.abs(x) * 10 ** precision;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) return x.toFixed(precision);
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + precision);
  if (/^50*$/.test(rest)) {
    // An exact tie: keep the truncated value when its last digit is even.
    const truncated = exact.slice(0, dot + 1 + precision).replace(/\.$/, '');
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) return (x < 0 ? '-' : '') + truncated;
  }
  return x.toFixed(precision);
}

/** `%W.Pf`. */
export function fixedW(x: number, width: number, precision: number): string {
  return pad(fixed(x, precision), width);
}

/** `%Wllu` of a non-negative integer held in a double. */
export function uint(n: number, width: number): string {
  return pad(String(Math.floor(n)), width);
}
