// LVM's sizes: the -L argument (a number, optionally signed and fractional, with a unit of
// powers of 1024, MiB by default) and the two ways LVM prints a size: its messages' "8.00 GiB"
// and its reports' "8.00g", both with the default units "r", which put '<' before a value
// rounded down, and print a zero as "0".

export interface SizeArg { sign: '' | '+' | '-'; bytes: number }

const UNIT_SHIFT: Record<string, number> = { b: 0, s: 9, k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 };

/** Parse a --size value as lvcreate and lvresize take it; undefined when LVM would refuse it. */
export function parseSizeArg(s: string): SizeArg | undefined {
  const m = /^([+-]?)(\d+(?:\.\d+)?)([bBsSkKmMgGtTpPeE]?)$/.exec(s);
  if (!m) return undefined;
  const shift = UNIT_SHIFT[(m[3] || 'm').toLowerCase()]!;
  return { sign: m[1] as SizeArg['sign'], bytes: Math.round(Number(m[2]) * 2 ** shift) };
}

const SUFFIXES = ['e', 'p', 't', 'g', 'm', 'k', 'b'];
const LONG = [' EiB', ' PiB', ' TiB', ' GiB', ' MiB', ' KiB', ' B'];

function human(bytes: number, suffixes: string[], zero: string): string {
  if (bytes === 0) return zero;
  let unit = 2 ** 60, i = 0;
  while (i < suffixes.length - 1 && bytes < unit) { unit /= 1024; i++; }
  const d = 100 * bytes / unit;
  const prefix = Math.floor(d) !== Math.round(d) ? '<' : '';
  return `${prefix}${(bytes / unit).toFixed(suffixes[i] === 'b' || suffixes[i] === ' B' ? 0 : 2)}${suffixes[i]}`;
}

/** A size in a report column (lvs LSize, vgs VSize/VFree). */
export function reportSize(bytes: number): string { return human(bytes, SUFFIXES, '0 '); }

/** A size in a message ("changed from 8.00 GiB"). */
export function displaySize(bytes: number): string { return human(bytes, LONG, '0 '); }
