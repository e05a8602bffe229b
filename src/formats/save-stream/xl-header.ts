// The xl save-file header (tools/xl/xl.h): 32-byte magic, then byteorder, mandatory flags,
// optional flags and optional-data length as host-order u32s, then the optional data (a u32
// config length and the libxl_domain_config JSON including its NUL). The libxl stream follows.

import { bytesFromText, textFromBytes } from '../byte-text.ts';

export const XL_MAGIC = Buffer.from('Xen saved domain, xl format\n \0 \r', 'latin1');
export const XL_BYTEORDER_MARKER = 0x01020304;
export const XL_MANDATORY_FLAG_JSON = 1 << 0;
export const XL_MANDATORY_FLAG_STREAMV2 = 1 << 1;
const KNOWN_MANDATORY = XL_MANDATORY_FLAG_JSON | XL_MANDATORY_FLAG_STREAMV2;
export const XL_HEADER_SIZE = 48;

export interface XlHeader {
  mandatoryFlags: number;
  optionalFlags: number;
  optionalDataLen: number;
  /** The embedded domain config (JSON text without its NUL), or null when none was stored. */
  config: string | null;
}

/** Error texts are those xl restore prints (xl_saverestore.c / xl_vmcontrol.c). */
export class XlHeaderError extends Error {}

export function encodeXlHeader(configJson: string): Buffer {
  const config = bytesFromText(configJson + '\0');
  const optlen = 4 + config.length;
  const head = Buffer.alloc(XL_HEADER_SIZE + 4);
  XL_MAGIC.copy(head, 0);
  head.writeUInt32LE(XL_BYTEORDER_MARKER, 32);
  head.writeUInt32LE(XL_MANDATORY_FLAG_JSON | XL_MANDATORY_FLAG_STREAMV2, 36);
  head.writeUInt32LE(0, 40);
  head.writeUInt32LE(optlen, 44);
  head.writeUInt32LE(config.length, 48);
  return Buffer.concat([head, config]);
}

/** The status line xl prints when it writes the header. */
export function xlSavingInfo(h: Pick<XlHeader, 'mandatoryFlags' | 'optionalFlags' | 'optionalDataLen'>): string {
  return `info 0x${h.mandatoryFlags.toString(16)}/0x${h.optionalFlags.toString(16)}/${h.optionalDataLen}`;
}

/**
 * Parse the header at the start of `buf`. Returns null when more bytes are needed (the caller
 * decides whether EOF there means truncation), else the header and the bytes it used.
 */
export function decodeXlHeader(buf: Buffer): { header: XlHeader; used: number } | null {
  if (buf.length < XL_HEADER_SIZE) return null;
  if (!buf.subarray(0, 32).equals(XL_MAGIC)) {
    throw new XlHeaderError('File has wrong magic number - corrupt or for a different tool?');
  }
  if (buf.readUInt32LE(32) !== XL_BYTEORDER_MARKER) throw new XlHeaderError('File has wrong byte order');
  const mandatoryFlags = buf.readUInt32LE(36);
  const optionalFlags = buf.readUInt32LE(40);
  const optionalDataLen = buf.readUInt32LE(44);
  const unknown = mandatoryFlags & ~KNOWN_MANDATORY;
  if (unknown) {
    throw new XlHeaderError(
      `Savefile has mandatory flag(s) 0x${unknown.toString(16)} which are not supported; need newer xl`);
  }
  if (buf.length < XL_HEADER_SIZE + optionalDataLen) return null;
  const opt = buf.subarray(XL_HEADER_SIZE, XL_HEADER_SIZE + optionalDataLen);
  let config: string | null = null;
  if (optionalDataLen >= 4) {
    const len = opt.readUInt32LE(0);
    if (4 + len > opt.length) throw new XlHeaderError('Savefile truncated.');
    let text = opt.subarray(4, 4 + len);
    if (text.length && text[text.length - 1] === 0) text = text.subarray(0, text.length - 1);
    config = len ? textFromBytes(text) : null;
  }
  return { header: { mandatoryFlags, optionalFlags, optionalDataLen, config }, used: XL_HEADER_SIZE + optionalDataLen };
}
