// XDR (RFC 4506), the encoding of ONC RPC and of libvirt's remote protocol: big-endian 4-byte
// units, strings and variable opaques carry a length and are padded to 4 bytes. The reader
// checks every length against the bytes left and against the caller's bound, so a hostile
// frame can neither over-read nor make us allocate what it merely claims.

export class XdrError extends Error {}

export class XdrReader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number { return this.buf.length - this.off; }

  private take(n: number): number {
    if (n > this.buf.length - this.off) throw new XdrError(`XDR: ${n} bytes wanted, ${this.buf.length - this.off} left`);
    const at = this.off;
    this.off += n;
    return at;
  }

  int(): number { return this.buf.readInt32BE(this.take(4)); }
  uint(): number { return this.buf.readUInt32BE(this.take(4)); }
  hyper(): bigint { return this.buf.readBigInt64BE(this.take(8)); }
  uhyper(): bigint { return this.buf.readBigUInt64BE(this.take(8)); }
  double(): number { return this.buf.readDoubleBE(this.take(8)); }
  bool(): boolean { return this.int() !== 0; }

  /** opaque[n]: n bytes, padded. */
  fixedOpaque(n: number): Buffer {
    const at = this.take(n + pad(n));
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  /** opaque<max>. */
  opaque(max: number): Buffer {
    const n = this.uint();
    if (n > max) throw new XdrError(`XDR: opaque of ${n} bytes over its limit ${max}`);
    return this.fixedOpaque(n);
  }

  /** string<max>, as UTF-8. */
  string(max: number): string { return this.opaque(max).toString('utf8'); }

  /** T *: a presence flag, then the value. */
  optional<T>(read: () => T): T | null { return this.bool() ? read() : null; }

  /** T<max>: a count, then the items. */
  array<T>(max: number, read: () => T): T[] {
    const n = this.uint();
    if (n > max) throw new XdrError(`XDR: array of ${n} items over its limit ${max}`);
    // Each item takes at least 4 bytes: a count larger than the bytes left is a lie.
    if (n > this.remaining / 4 + 1) throw new XdrError(`XDR: array of ${n} items in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  }
}

export class XdrWriter {
  private chunks: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): this { this.chunks.push(b); this.size += b.length; return this; }
  private word(fill: (b: Buffer) => void, n = 4): this { const b = Buffer.alloc(n); fill(b); return this.push(b); }

  int(v: number): this { return this.word(b => b.writeInt32BE(v | 0)); }
  uint(v: number): this { return this.word(b => b.writeUInt32BE(v >>> 0)); }
  hyper(v: bigint): this { return this.word(b => b.writeBigInt64BE(BigInt.asIntN(64, v)), 8); }
  uhyper(v: bigint): this { return this.word(b => b.writeBigUInt64BE(BigInt.asUintN(64, v)), 8); }
  double(v: number): this { return this.word(b => b.writeDoubleBE(v), 8); }
  bool(v: boolean): this { return this.int(v ? 1 : 0); }

  fixedOpaque(data: Buffer): this {
    this.push(data);
    const p = pad(data.length);
    return p ? this.push(Buffer.alloc(p)) : this;
  }

  opaque(data: Buffer): this { return this.uint(data.length).fixedOpaque(data); }
  string(s: string): this { return this.opaque(Buffer.from(s, 'utf8')); }

  optional<T>(v: T | null | undefined, write: (v: T) => void): this {
    if (v === null || v === undefined) return this.bool(false);
    this.bool(true);
    write(v);
    return this;
  }

  array<T>(items: readonly T[], write: (v: T, i: number) => void): this {
    this.uint(items.length);
    items.forEach(write);
    return this;
  }

  get length(): number { return this.size; }
  toBuffer(): Buffer { return Buffer.concat(this.chunks, this.size); }
}

function pad(n: number): number { return (4 - (n & 3)) & 3; }
