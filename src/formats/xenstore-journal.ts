// xenstored's journal file: a magic, then records, each the node changes of one request (or
// one slice of a snapshot). Pure codec: no store, no I/O.
//   record: u32 bodyLen | body | u32 bodyLen ^ TRAILER_KEY
//   body:   ops, each  u8 op | u16 pathLen | path (latin1) | [put: u16 nperms | (u32 id, u8 bits)* |
//           u32 valueLen | value | [PUT_NODE: u32 nchildren | (u16 len | name)*]]
// A record whose trailer is missing or wrong is where a killed writer stopped: it and anything
// after it are not part of the journal. Version 01 had u16 ids (a permission may name any
// 32-bit domid); it is still read.

export const JOURNAL_MAGIC = Buffer.from('XSJRNL02');
const JOURNAL_MAGIC_U16_IDS = Buffer.from('XSJRNL01');

/** A node as the journal stores it (children null: unchanged, keep the node's current ones). */
export interface JournalPut { path: string; value: Buffer; perms: readonly { id: number; bits: number }[]; children: readonly string[] | null }
export type JournalOp = ({ op: 'put' } & JournalPut) | { op: 'del'; path: string };

const OP_PUT_NODE = 1, OP_PUT_VALUE = 2, OP_DEL = 3;
const TRAILER_KEY = 0x4c4e524a;
const FRAME_BYTES = 8;

/** Collects the ops of one record into a reused buffer. */
export class JournalEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = FRAME_BYTES - 4;

  /** Body bytes so far (0: nothing to write). */
  get size(): number { return this.used - (FRAME_BYTES - 4); }

  put(path: string, value: Buffer, perms: readonly { id: number; bits: number }[], children: readonly string[] | null): void {
    let need = 3 + path.length + 2 + perms.length * 5 + 4 + value.length;
    if (children) { need += 4; for (const c of children) need += 2 + c.length; }
    this.room(need);
    const b = this.buf;
    let o = this.used;
    b[o++] = children ? OP_PUT_NODE : OP_PUT_VALUE;
    o = b.writeUInt16LE(path.length, o); o += b.write(path, o, 'latin1');
    o = b.writeUInt16LE(perms.length, o);
    for (const p of perms) { o = b.writeUInt32LE(p.id, o); b[o++] = p.bits; }
    o = b.writeUInt32LE(value.length, o); o += value.copy(b, o);
    if (children) {
      o = b.writeUInt32LE(children.length, o);
      for (const c of children) { o = b.writeUInt16LE(c.length, o); o += b.write(c, o, 'latin1'); }
    }
    this.used = o;
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

  private room(n: number): void {
    if (this.used + n + 4 <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n + 4));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
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
    if (op !== OP_PUT_NODE && op !== OP_PUT_VALUE) throw new Torn();
    const nperms = b.readUInt16LE(need(2));
    const perms: { id: number; bits: number }[] = [];
    for (let i = 0; i < nperms; i++) { const at = need(idBytes + 1); perms.push({ id: b.readUIntLE(at, idBytes), bits: b[at + idBytes]! }); }
    const vlen = b.readUInt32LE(need(4));
    const vat = need(vlen);
    const value = Buffer.from(b.subarray(vat, vat + vlen));
    let children: string[] | null = null;
    if (op === OP_PUT_NODE) {
      const n = b.readUInt32LE(need(4));
      children = [];
      for (let i = 0; i < n; i++) children.push(str(b.readUInt16LE(need(2))));
    }
    into.push({ op: 'put', path, value, perms, children });
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
  const idBytes = magic.equals(JOURNAL_MAGIC) ? 4 : magic.equals(JOURNAL_MAGIC_U16_IDS) ? 2 : 0;
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
  return { ops, validBytes: o, old: idBytes !== 4 };
}
