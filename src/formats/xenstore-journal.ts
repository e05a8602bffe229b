// xenstored's journal file: a magic, then records, each the node changes of one request (or
// one slice of a snapshot). Pure codec: no store, no I/O.
//   record: u32 bodyLen | body | u32 bodyLen ^ TRAILER_KEY
//   body:   ops, each  u8 op | u16 pathLen | path (latin1) | [put: u16 nperms | (u32 id, u8 bits)* |
//           u32 valueLen | value | [PUT_NODE: u32 nchildren | (u16 len | name)*]
//           [PUT_SPLICE: u32 start | u32 nremoved | u32 ninserted | (u16 len | name)*]]
// A record whose trailer is missing or wrong is where a killed writer stopped: it and anything
// after it are not part of the journal. Version 01 had u16 ids (a permission may name any
// 32-bit domid), version 02 no PUT_SPLICE; both are still read.
// PUT_SPLICE records a change to a node's children as the change alone: /local/domain of a host
// with 10,000 guests has 10,000 children, and a guest's creation must not rewrite all of them.

export const JOURNAL_MAGIC = Buffer.from('XSJRNL03');
const JOURNAL_MAGIC_NO_SPLICE = Buffer.from('XSJRNL02');
const JOURNAL_MAGIC_U16_IDS = Buffer.from('XSJRNL01');

/** Children [start, start + remove) replaced by `insert`. */
export interface ChildSplice { start: number; remove: number; insert: readonly string[] }

/**
 * A node as the journal stores it: children null keeps the node's current ones, unless `splice`
 * says how they changed.
 */
export interface JournalPut {
  path: string; value: Buffer; perms: readonly { id: number; bits: number }[]; children: readonly string[] | null; splice?: ChildSplice;
}
export type JournalOp = ({ op: 'put' } & JournalPut) | { op: 'del'; path: string };

const OP_PUT_NODE = 1, OP_PUT_VALUE = 2, OP_DEL = 3, OP_PUT_SPLICE = 4;

/**
 * How `now` differs from `was` as one splice (their common head and tail kept), when that is
 * shorter to write than the whole list; null otherwise.
 */
export function childSplice(was: readonly string[], now: readonly string[]): ChildSplice | null {
  const max = Math.min(was.length, now.length);
  let head = 0;
  while (head < max && was[head] === now[head]) head++;
  let tail = 0;
  while (tail < max - head && was[was.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  const insert = now.slice(head, now.length - tail);
  return insert.length + 3 < now.length ? { start: head, remove: was.length - head - tail, insert } : null;
}

/** The children after a splice. */
export function applySplice(children: readonly string[], s: ChildSplice): string[] {
  return [...children.slice(0, s.start), ...s.insert, ...children.slice(s.start + s.remove)];
}
const TRAILER_KEY = 0x4c4e524a;
const FRAME_BYTES = 8;

/** Collects the ops of one record into a reused buffer. */
export class JournalEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = FRAME_BYTES - 4;

  /** Body bytes so far (0: nothing to write). */
  get size(): number { return this.used - (FRAME_BYTES - 4); }

  put(path: string, value: Buffer, perms: readonly { id: number; bits: number }[], children: readonly string[] | null): void {
    let o = this.head(children ? OP_PUT_NODE : OP_PUT_VALUE, path, value, perms, children ? 4 + namesBytes(children) : 0);
    if (children) {
      o = this.buf.writeUInt32LE(children.length, o);
      o = this.names(children, o);
    }
    this.used = o;
  }

  /** A put whose children changed by `splice` (see childSplice). */
  putSplice(path: string, value: Buffer, perms: readonly { id: number; bits: number }[], splice: ChildSplice): void {
    const b = this.buf;
    let o = this.head(OP_PUT_SPLICE, path, value, perms, 12 + namesBytes(splice.insert));
    o = b.writeUInt32LE(splice.start, o);
    o = b.writeUInt32LE(splice.remove, o);
    o = b.writeUInt32LE(splice.insert.length, o);
    this.used = this.names(splice.insert, o);
  }

  del(path: string): void {
    this.room(3 + path.length);
    const b = this.buf;
    let o = this.used;
    b[o++] = OP_DEL;
    o = b.writeUInt16LE(path.length, o); o += b.write(path, o, 'latin1');
    this.used = o;
  }

  /** The framed record (valid until the next op) and a fresh start. */
  take(): Buffer {
    const len = this.size;
    this.room(4);
    this.buf.writeUInt32LE(len, 0);
    this.buf.writeUInt32LE((len ^ TRAILER_KEY) >>> 0, this.used);
    const rec = this.buf.subarray(0, this.used + 4);
    this.used = FRAME_BYTES - 4;
    return rec;
  }

  /** Drops the ops collected since the last take(). */
  discard(): void { this.used = FRAME_BYTES - 4; }

  /** Room for a put with `extra` bytes after its value, and its op, path, perms and value written. */
  private head(op: number, path: string, value: Buffer, perms: readonly { id: number; bits: number }[], extra: number): number {
    this.room(3 + path.length + 2 + perms.length * 5 + 4 + value.length + extra);
    const b = this.buf;
    let o = this.used;
    b[o++] = op;
    o = b.writeUInt16LE(path.length, o); o += b.write(path, o, 'latin1');
    o = b.writeUInt16LE(perms.length, o);
    for (const p of perms) { o = b.writeUInt32LE(p.id, o); b[o++] = p.bits; }
    o = b.writeUInt32LE(value.length, o);
    return o + value.copy(b, o);
  }

  private names(names: readonly string[], o: number): number {
    const b = this.buf;
    for (const c of names) { o = b.writeUInt16LE(c.length, o); o += b.write(c, o, 'latin1'); }
    return o;
  }

  private room(n: number): void {
    if (this.used + n + 4 <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n + 4));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}

function namesBytes(names: readonly string[]): number {
  let n = 0;
  for (const c of names) n += 2 + c.length;
  return n;
}

class Torn extends Error {}

/** Reads ops out of one record body; any overrun means the record is not what was written. */
function decodeBody(b: Buffer, start: number, end: number, into: JournalOp[], idBytes: 2 | 4): void {
  let o = start;
  const need = (n: number): number => { if (o + n > end) throw new Torn(); const at = o; o += n; return at; };
  const str = (len: number): string => { const at = need(len); return b.toString('latin1', at, at + len); };
  while (o < end) {
    const op = b[need(1)]!;
    const path = str(b.readUInt16LE(need(2)));
    if (op === OP_DEL) { into.push({ op: 'del', path }); continue; }
    if (op !== OP_PUT_NODE && op !== OP_PUT_VALUE && op !== OP_PUT_SPLICE) throw new Torn();
    const nperms = b.readUInt16LE(need(2));
    const perms: { id: number; bits: number }[] = [];
    for (let i = 0; i < nperms; i++) { const at = need(idBytes + 1); perms.push({ id: b.readUIntLE(at, idBytes), bits: b[at + idBytes]! }); }
    const vlen = b.readUInt32LE(need(4));
    const vat = need(vlen);
    const value = Buffer.from(b.subarray(vat, vat + vlen));
    const names = (n: number): string[] => { const l: string[] = []; for (let i = 0; i < n; i++) l.push(str(b.readUInt16LE(need(2)))); return l; };
    if (op === OP_PUT_SPLICE) {
      const start = b.readUInt32LE(need(4)), remove = b.readUInt32LE(need(4));
      into.push({ op: 'put', path, value, perms, children: null, splice: { start, remove, insert: names(b.readUInt32LE(need(4))) } });
    } else {
      into.push({ op: 'put', path, value, perms, children: op === OP_PUT_NODE ? names(b.readUInt32LE(need(4))) : null });
    }
  }
}

export interface DecodedJournal {
  /** The ops of every whole record, in order. */
  ops: JournalOp[];
  /** Bytes from the start of the file to the end of the last whole record. */
  validBytes: number;
  /** Written in an older version: records cannot be appended to it. */
  old: boolean;
}

/** Decodes a journal file; a file without the magic is not a journal (throws). */
export function decodeJournal(file: Buffer): DecodedJournal {
  const magic = file.subarray(0, JOURNAL_MAGIC.length);
  const idBytes = magic.equals(JOURNAL_MAGIC) || magic.equals(JOURNAL_MAGIC_NO_SPLICE) ? 4 : magic.equals(JOURNAL_MAGIC_U16_IDS) ? 2 : 0;
  if (!idBytes) throw new Error('not a xenstored journal (bad magic)');
  const ops: JournalOp[] = [];
  let o = JOURNAL_MAGIC.length;
  while (o + FRAME_BYTES <= file.length) {
    const len = file.readUInt32LE(o);
    const end = o + 4 + len;
    if (end + 4 > file.length || file.readUInt32LE(end) !== ((len ^ TRAILER_KEY) >>> 0)) break;
    const record: JournalOp[] = [];
    try { decodeBody(file, o + 4, end, record, idBytes); } catch (e) { if (e instanceof Torn) break; throw e; }
    for (const op of record) ops.push(op);
    o = end + 4;
  }
  return { ops, validBytes: o, old: !magic.equals(JOURNAL_MAGIC) };
}
