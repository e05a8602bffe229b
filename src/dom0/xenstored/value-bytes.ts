// The bytes of node values. They live as long as their nodes and most are short (a guest has
// about 65 nodes, most of a few bytes). A slice of Node's shared 8 KiB buffer pool would keep a
// whole slab of short-lived messages alive per node, and a buffer of its own per value costs an
// ArrayBuffer and an allocation each; so short values are carved from slabs that hold node
// values only. Values are never written in place, so they may share.
const SLAB_BYTES = 16 * 1024;
/** Values this long or longer get a buffer of their own. */
const OWN_BUFFER_FROM = 1024;

/** The empty value (a directory's), shared by every node that has it. */
export const EMPTY_VALUE: Buffer = Buffer.alloc(0);

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let used = 0;

/** A copy of `bytes` to keep as a node's value. */
export function storedValue(bytes: Uint8Array): Buffer {
  if (bytes.length === 0) return EMPTY_VALUE;
  if (bytes.length >= OWN_BUFFER_FROM) {
    const own = Buffer.allocUnsafeSlow(bytes.length);
    own.set(bytes);
    return own;
  }
  if (used + bytes.length > SLAB_BYTES) { slab = Buffer.allocUnsafeSlow(SLAB_BYTES); used = 0; }
  const value = slab.subarray(used, used + bytes.length);
  value.set(bytes);
  used += bytes.length;
  return value;
}
