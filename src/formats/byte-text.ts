// Bytes as JS text without loss. Xen's tools treat names, paths, values and config strings as
// bytes; ours hold them as strings. Valid UTF-8 decodes to its characters (so Unicode-aware code,
// JSON and the TUIs see real text); each byte that is not part of valid UTF-8 becomes the lone
// surrogate U+DC80+byte (Python's "surrogateescape"), which valid UTF-8 can never produce, and
// which encoding turns back into that byte. JSON carries lone surrogates as \uDCxx escapes.

const ESCAPE_BASE = 0xdc00;
const fatal = new TextDecoder('utf-8', { fatal: true });

/** Length of the valid UTF-8 sequence starting at `i`, or 0 (overlong, surrogate, > U+10FFFF, cut). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The text of these bytes: UTF-8 where valid, an escape per byte elsewhere. */
export function textFromBytes(b: Uint8Array): string {
  try { return fatal.decode(b); } catch { /* not all valid: decode piece by piece */ }
  let out = '';
  let start = 0;
  for (let i = 0; i < b.length;) {
    const n = sequenceLength(b, i);
    if (n) { i += n; continue; }
    out += Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('utf8') + String.fromCharCode(ESCAPE_BASE + b[i]);
    start = ++i;
  }
  return out + Buffer.from(b.buffer, b.byteOffset + start, b.length - start).toString('utf8');
}

const ESCAPED = /[\udc80-\udcff]/;

/** The bytes this text came from: UTF-8, with each escape back to its byte. */
export function bytesFromText(s: string): Buffer {
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate before it would make a pair: a real character, not an escape.
    if (c < 0xdc80 || c > 0xdcff || (i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) continue;
    parts.push(Buffer.from(s.slice(start, i), 'utf8'), Buffer.of(c - ESCAPE_BASE));
    start = i + 1;
  }
  parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** How a byte-string API (the xenstore client) turns its strings into bytes and back. */
export interface StringBytes { encode(s: string): Buffer; decode(b: Uint8Array): string }

/** Strings are text, as above: the daemon and guests. */
export const TEXT_STRINGS: StringBytes = { encode: bytesFromText, decode: textFromBytes };

/** Strings hold one byte per character: for tools that count and cut bytes as their C originals do. */
export const LATIN1_STRINGS: StringBytes = {
  encode: s => Buffer.from(s, 'latin1'),
  decode: b => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1'),
};

/**
 * JSON text with the \udc80–\udcff escapes JSON.stringify writes for escaped bytes turned back
 * into those characters, so that the JSON encodes to the bytes themselves, as yajl writes them.
 * An escape preceded by an odd run of backslashes is text (`\\udce9`), not an escape.
 */
export function jsonWithRawBytes(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\u(dc[89a-f][0-9a-f])/g, (_m, run: string, hex: string) => run + String.fromCharCode(parseInt(hex, 16)));
}
