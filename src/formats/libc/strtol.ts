// glibc's number parsing on a 64-bit host (strtol, strtoul and atoi, bases 0, 10 and 16) for
// the tools, the guest's commands and the config parsers: leading blanks, an optional sign, 0x
// for hex, a leading 0 for octal in base 0, clamping with ERANGE, and where the digits stop.

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;
export const ULONG_MAX = 2n ** 64n - 1n;

export interface CNumber {
  value: bigint;
  /** index just past the last digit; 0 when there were no digits */
  end: number;
  /** the value was clamped (ERANGE) */
  erange: boolean;
}

function scan(s: string, base: number): { neg: boolean; digits: bigint; start: number; end: number } | null {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') { neg = s[i] === '-'; i++; }
  let b = base;
  const hexPrefix = s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '');
  if ((b === 0 || b === 16) && hexPrefix) { b = 16; i += 2; }
  else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i], 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  return i === start ? null : { neg, digits: v, start, end: i };
}

/** strtol on a 64-bit long. */
export function strtol(s: string, base = 0): CNumber {
  const r = scan(s, base);
  if (!r) return { value: 0n, end: 0, erange: false };
  let v = r.neg ? -r.digits : r.digits;
  let erange = false;
  if (v > LONG_MAX) { v = LONG_MAX; erange = true; }
  if (v < LONG_MIN) { v = LONG_MIN; erange = true; }
  return { value: v, end: r.end, erange };
}

/** strtoul/strtoull on a 64-bit unsigned long (a minus sign wraps around, as in C). */
export function strtoul(s: string, base = 0): CNumber {
  const r = scan(s, base);
  if (!r) return { value: 0n, end: 0, erange: false };
  if (r.digits > ULONG_MAX) return { value: ULONG_MAX, end: r.end, erange: true };
  const v = r.neg && r.digits !== 0n ? ULONG_MAX + 1n - r.digits : r.digits;
  return { value: v, end: r.end, erange: false };
}

/** atoi: base 10, 0 when there are no digits, wrapped to a 32-bit int. */
export function atoi(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s, 10).value));
}
