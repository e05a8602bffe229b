// The header libvirt's libxl driver puts before the libxl stream in a save file
// (libxlSavefileHeader): a 16-byte magic, version 2, the domain XML's length (with its NUL)
// and ten unused words, all host-endian (little on x86), then the XML.
export const SAVE_MAGIC = Buffer.from('libvirt-xml\n \0 \r', 'latin1');
const SAVE_VERSION = 2;
export const SAVE_HEADER_SIZE = SAVE_MAGIC.length + 4 * 12;

export function encodeSaveHeader(xml: string): Buffer {
  const x = Buffer.from(`${xml}\0`, 'utf8');
  const h = Buffer.alloc(SAVE_HEADER_SIZE);
  SAVE_MAGIC.copy(h);
  h.writeUInt32LE(SAVE_VERSION, 16);
  h.writeUInt32LE(x.length, 20);
  return Buffer.concat([h, x]);
}

/** The XML and where the libxl stream starts, or a reason the file is no libvirt save image. */
export function decodeSaveHeader(head: Buffer): { xml: string; streamAt: number } | { error: string } {
  if (head.length < SAVE_HEADER_SIZE || !head.subarray(0, 16).equals(SAVE_MAGIC)) return { error: 'image magic is incorrect' };
  const version = head.readUInt32LE(16);
  if (version > SAVE_VERSION) return { error: `image version is not supported (${version} > ${SAVE_VERSION})` };
  const len = head.readUInt32LE(20);
  if (len <= 0 || head.length < SAVE_HEADER_SIZE + len) return { error: 'failed to read xml header' };
  return { xml: head.subarray(SAVE_HEADER_SIZE, SAVE_HEADER_SIZE + len - 1).toString('utf8'), streamAt: SAVE_HEADER_SIZE + len };
}
