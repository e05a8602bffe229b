// The definitions file xentrace_format reads: one rule a line, `<event id><whitespace><format>`,
// `#` lines and empty lines skipped; the id is a Python integer literal, the format a Python 2
// %-format applied to a dict of the record's fields (cpu, tsc, reltsc, event, 1..7). Rule 0 is
// the fallback for events without a rule. This module parses the file and implements exactly
// the %-formatting the real script relies on, including its error cases.

export class FormatsFileError extends Error {}
/** Python's TypeError/KeyError/ValueError raised by `rule % args`; `kind` names which. */
export class PyFormatError extends Error {
  constructor(readonly kind: 'TypeError' | 'KeyError' | 'ValueError' | 'OverflowError', message: string) { super(message); }
}

/** Rules by event id (the later of two rules for one id wins, as with a Python dict). */
export function parseFormatsFile(text: string): Map<number, string> {
  const rules = new Map<number, string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line === '' || line[0] === '#') continue;
    // Python's re.match('(\S+)\s+(\S.*)'): anchored at the start, `.` stops at the newline.
    const m = /^(\S+)\s+(\S.*)/.exec(line);
    if (!m) throw new FormatsFileError('Bad format file');
    rules.set(parsePyInt(m[1]!), m[2]!);
  }
  return rules;
}

/** A Python 2 integer literal as eval() reads it: 0x.., 0o.., 0b.., 0.. (octal), decimal, optional L. */
export function parsePyInt(s: string): number {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)[lL]?$/.exec(s);
  if (!m) throw new FormatsFileError(`event id '${s}' is not an integer literal`);
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
  else if (body.length > 1 && body[0] === '0') v = parseInt(body.slice(1), 8);
  else v = parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

/** A Python float (what `%(tsc)` becomes under -c), kept apart from ints that happen to be whole. */
export class PyFloat { constructor(readonly value: number) {} }
/** Python ints are numbers or bigints; floats are PyFloat. */
export type PyValue = number | bigint | PyFloat;
export type PyArgs = Readonly<Record<string, PyValue>>;
/** The field names in the order Python 2.7 prints the script's args dict. */
const DICT_ORDER = ['2', 'event', 'tsc', '1', '3', 'reltsc', '5', '4', '7', '6', 'cpu'];

interface Spec { key: string | undefined; flags: string; width: number | undefined; prec: number | undefined; conv: string }
type Part = string | Spec | PyFormatError;

const compiled = new Map<string, Part[]>();

/** `fmt % args` with Python 2 semantics for a dict argument. */
export function pyFormat(fmt: string, args: PyArgs): string {
  let parts = compiled.get(fmt);
  if (!parts) { parts = compile(fmt); compiled.set(fmt, parts); }
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (p instanceof PyFormatError) throw p;
    else out += convert(p, args);
  }
  return out;
}

function compile(fmt: string): Part[] {
  const parts: Part[] = [];
  const re = /%(?:\(([^)]*)\))?([-#0 +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)/g;
  let last = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    if (m.index > last) parts.push(fmt.slice(last, m.index));
    last = re.lastIndex;
    const conv = m[5]!;
    if (conv === '') { parts.push(new PyFormatError('ValueError', 'incomplete format')); break; }
    if (m[3] === '*' || m[4] === '*') { parts.push(new PyFormatError('TypeError', 'format requires a mapping')); break; }
    if (!'diuoxXeEfFgGcrs%'.includes(conv)) {
      const code = conv.charCodeAt(0);
      parts.push(new PyFormatError('ValueError',
        `unsupported format character '${conv}' (0x${code.toString(16)}) at index ${m.index + m[0].length - 1}`));
      break;
    }
    if (conv === '%' && m[1] === undefined) { parts.push('%'); continue; }
    parts.push({
      key: m[1], flags: m[2]!, width: m[3] !== undefined ? Number(m[3]) : undefined,
      prec: m[4] !== undefined ? Number(m[4] || '0') : undefined, conv,
    });
  }
  if (last < fmt.length) parts.push(fmt.slice(last));
  return parts;
}

function convert(s: Spec, args: PyArgs): string {
  if (s.conv === '%') return pad(s, '%', '');
  let v: PyValue | PyArgs;
  if (s.key === undefined) v = args;
  else {
    if (!Object.prototype.hasOwnProperty.call(args, s.key)) throw new PyFormatError('KeyError', `'${s.key}'`);
    v = args[s.key]!;
  }
  if (typeof v === 'object' && !(v instanceof PyFloat)) {
    if (s.conv === 's' || s.conv === 'r') return pad(s, pyDictRepr(args), '');
    throw new PyFormatError('TypeError', `%${s.conv} format: a number is required, not dict`);
  }
  const isFloat = v instanceof PyFloat;
  const num = v instanceof PyFloat ? v.value : v;
  switch (s.conv) {
    case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': {
      const n = typeof num === 'bigint' ? num : BigInt(Math.trunc(num));
      const neg = n < 0n;
      const mag = neg ? -n : n;
      let digits = s.conv === 'o' ? mag.toString(8) : s.conv === 'x' || s.conv === 'X' ? mag.toString(16) : mag.toString(10);
      if (s.conv === 'X') digits = digits.toUpperCase();
      if (s.prec !== undefined && digits.length < s.prec) digits = '0'.repeat(s.prec - digits.length) + digits;
      let prefix = neg ? '-' : s.flags.includes('+') ? '+' : s.flags.includes(' ') ? ' ' : '';
      if (s.flags.includes('#')) {
        if (s.conv === 'o' && digits[0] !== '0') prefix += '0';
        else if (s.conv === 'x') prefix += '0x';
        else if (s.conv === 'X') prefix += '0X';
      }
      return pad(s, digits, prefix);
    }
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
      const x = Number(num);
      const neg = x < 0 || Object.is(x, -0);
      const body = floatBody(Math.abs(x), s.conv, s.prec ?? 6, s.flags.includes('#'));
      const prefix = neg ? '-' : s.flags.includes('+') ? '+' : s.flags.includes(' ') ? ' ' : '';
      return pad(s, body, prefix);
    }
    case 'c': {
      const n = Number(num);
      if (isFloat) throw new PyFormatError('TypeError', 'integer argument expected, got float');
      if (n < 0 || n > 255) throw new PyFormatError('OverflowError', 'unsigned byte integer is greater than maximum');
      return pad({ ...s, flags: s.flags.replace('0', '') }, String.fromCharCode(n), '');
    }
    case 's': return pad({ ...s, flags: s.flags.replace('0', '') }, trimPrec(pyStr(v), s.prec), '');
    default: return pad({ ...s, flags: s.flags.replace('0', '') }, trimPrec(pyRepr(v), s.prec), '');
  }
}

function trimPrec(s: string, prec: number | undefined): string { return prec === undefined ? s : s.slice(0, prec); }

/** Width handling: `-` left-justifies, `0` pads numbers with zeros after the sign. */
function pad(s: Spec, body: string, prefix: string): string {
  const w = s.width ?? 0;
  const len = prefix.length + body.length;
  if (len >= w) return prefix + body;
  if (s.flags.includes('-')) return prefix + body + ' '.repeat(w - len);
  if (s.flags.includes('0')) return prefix + '0'.repeat(w - len) + body;
  return ' '.repeat(w - len) + prefix + body;
}


/** A finite x >= 0 as N / 10^scale exactly (a double is a dyadic rational, so this is exact). */
function exactDecimal(x: number): { n: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mant |= 1n << 52n;
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  return e2 >= 0 ? { n: mant << BigInt(e2), scale: 0 } : { n: mant * 5n ** BigInt(-e2), scale: -e2 };
}

/** Round N / 10^scale to `frac` decimals, ties to even, as Python's correctly rounded formatting does. */
function roundTo(d: { n: bigint; scale: number }, frac: number): bigint {
  if (frac >= d.scale) return d.n * 10n ** BigInt(frac - d.scale);
  const div = 10n ** BigInt(d.scale - frac);
  const q = d.n / div, r2 = (d.n % div) * 2n;
  return r2 > div || (r2 === div && (q & 1n) === 1n) ? q + 1n : q;
}

/** Python's %.<frac>f of x >= 0. */
function fixedPy(x: number, frac: number): string {
  const s = roundTo(exactDecimal(x), frac).toString().padStart(frac + 1, '0');
  return frac === 0 ? s : `${s.slice(0, s.length - frac)}.${s.slice(s.length - frac)}`;
}

/** x >= 0 rounded to `digits` significant digits: the digit string and the decimal exponent. */
function significantPy(x: number, digits: number): { mant: string; exp: number } {
  if (x === 0) return { mant: '0'.repeat(digits), exp: 0 };
  const d = exactDecimal(x);
  let exp = d.n.toString().length - 1 - d.scale;
  let q = roundTo(d, digits - 1 - exp);
  if (q.toString().length > digits) { exp++; q /= 10n; }
  return { mant: q.toString(), exp };
}

function expForm(x: number, prec: number, upper: boolean): string {
  const { mant: m, exp: e } = significantPy(x, prec + 1);
  const mant = prec === 0 ? m : `${m[0]}.${m.slice(1)}`;
  const s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return upper ? s.toUpperCase() : s;
}

function floatBody(x: number, conv: string, prec: number, alt: boolean): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? (conv === conv.toUpperCase() ? 'NAN' : 'nan') : (conv === conv.toUpperCase() ? 'INF' : 'inf');
  const upper = conv === 'E' || conv === 'G';
  if (conv === 'f' || conv === 'F') return fixedPy(x, prec);
  if (conv === 'e' || conv === 'E') return expForm(x, prec, upper);
  // %g: exponent form when the exponent is < -4 or >= the precision; trailing zeros dropped.
  const p = prec === 0 ? 1 : prec;
  const exp = significantPy(x, p).exp;
  let s = exp < -4 || exp >= p ? expForm(x, p - 1, upper) : fixedPy(x, Math.max(0, p - 1 - exp));
  if (!alt) {
    s = s.replace(/(\.\d*?)0+(e|E|$)/, '$1$2').replace(/\.(e|E|$)/, '$1');
  }
  return s;
}

/**
 * Python 2 str() of a number: ints as they are; floats with 12 significant digits, in exponent
 * form from 1e11 up (one place earlier than %.12g, leaving room for the ".0" it appends).
 */
function pyStr(pv: PyValue): string {
  if (!(pv instanceof PyFloat)) return pv.toString();
  const v = pv.value;
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const x = Math.abs(v);
  const exp = significantPy(x, 12).exp;
  const strip = (t: string): string => t.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  let s = exp < -4 || exp >= 11 ? strip(expForm(x, 11, false)) : strip(fixedPy(x, 11 - exp));
  if (!/[.e]/.test(s)) s += '.0';
  return (v < 0 || Object.is(v, -0) ? '-' : '') + s;
}

/** Python 2 repr() of a number: the shortest round-tripping float, `L` on longs. */
function pyRepr(pv: PyValue): string {
  if (typeof pv === 'bigint') return pv >= 1n << 63n || pv < -(1n << 63n) ? `${pv}L` : pv.toString();
  if (typeof pv === 'number') return String(pv);
  const v = pv.value;
  if (Object.is(v, -0)) return '-0.0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 16) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

/** The args dict as Python 2.7 prints it (its key order is fixed by the string hashes). */
export function pyDictRepr(args: PyArgs): string {
  const keys = [...DICT_ORDER.filter(k => k in args), ...Object.keys(args).filter(k => !DICT_ORDER.includes(k))];
  return `{${keys.map(k => `'${k}': ${pyRepr(args[k]!)}`).join(', ')}}`;
}
