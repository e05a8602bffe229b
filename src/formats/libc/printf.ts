// printf's %f as glibc prints a double: the exact binary value rounded to the precision, an exact
// tie to even (JavaScript's toFixed sends ties up: 0.125 → "0.13" where glibc prints "0.12").

const bits = new DataView(new ArrayBuffer(8));

/** The double as sign, integer mantissa and power of two (value = ±mantissa · 2^exponent). */
function decompose(x: number): { negative: boolean; mantissa: bigint; exponent: number } {
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0), lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0
    ? { negative: hi >>> 31 === 1, mantissa: fraction, exponent: -1074 }
    : { negative: hi >>> 31 === 1, mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/**
 * `%.{precision}f`. The sign of a negative value that rounds to zero stays (-0.01 → "-0.0").
 * A NaN prints as "-nan": the NaN x86 arithmetic produces (0/0, inf-inf) has its sign bit set.
 */
export function formatFixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const { negative, mantissa, exponent } = decompose(x);
  const scale = 10n ** BigInt(precision);
  let units: bigint; // the value in units of 10^-precision, rounded
  if (exponent >= 0) units = (mantissa << BigInt(exponent)) * scale;
  else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * scale;
    units = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && units % 2n === 1n)) units++;
  }
  const digits = units.toString().padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  return `${negative ? '-' : ''}${whole}${precision > 0 ? '.' + digits.slice(whole.length) : ''}`;
}

/** `%{width}.{precision}f`: right-aligned in at least `width` columns. */
export function formatFixedWidth(x: number, width: number, precision: number): string {
  return formatFixed(x, precision).padStart(width);
}
