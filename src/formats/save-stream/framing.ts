// Record framing shared by the libxl and libxc layers: u32 type, u32 body length (little
// endian, the stream's endianness on x86), the body, then zero padding to 8 bytes.

export const RECORD_HEADER_SIZE = 8;

export function padTo8(n: number): number { return (n + 7) & ~7; }

export function recordHeader(type: number, bodyLength: number): Buffer {
  const h = Buffer.alloc(RECORD_HEADER_SIZE);
  h.writeUInt32LE(type >>> 0, 0);
  h.writeUInt32LE(bodyLength >>> 0, 4);
  return h;
}

/** One whole record as a single buffer (header, body, padding). */
export function encodeRecord(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(RECORD_HEADER_SIZE + padTo8(body.length));
  out.writeUInt32LE(type >>> 0, 0);
  out.writeUInt32LE(body.length, 4);
  body.copy(out, RECORD_HEADER_SIZE);
  return out;
}
