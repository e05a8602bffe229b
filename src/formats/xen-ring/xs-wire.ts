// io/xs_wire.h: the xenstore page a guest shares with xenstored, a request ring and a reply
// ring of 1024 bytes each with their indexes, then the server's feature bits and the
// connection and error words of the reconnection protocol.
import type { ByteRing } from './byte-ring.ts';

export const XENSTORE_DOMAIN_INTERFACE = {
  req: 0, rsp: 1024, req_cons: 2048, req_prod: 2052, rsp_cons: 2056, rsp_prod: 2060,
  server_features: 2064, connection: 2068, error: 2072, sizeof: 2076,
} as const;
export const XENSTORE_RING_SIZE = 1024;
/** The guest's requests to xenstored, and xenstored's replies and watch events to the guest. */
export const XS_REQ_RING: ByteRing = { data: 0, size: XENSTORE_RING_SIZE, cons: 2048, prod: 2052 };
export const XS_RSP_RING: ByteRing = { data: 1024, size: XENSTORE_RING_SIZE, cons: 2056, prod: 2060 };
export const XENSTORE_SERVER_FEATURE_RECONNECTION = 1, XENSTORE_SERVER_FEATURE_ERROR = 2;
export const XENSTORE_CONNECTED = 0, XENSTORE_RECONNECT = 1;
export const XENSTORE_ERROR_NONE = 0, XENSTORE_ERROR_COMM = 1, XENSTORE_ERROR_RINGIDX = 2, XENSTORE_ERROR_PROTO = 3;

export interface XenstoreInterface {
  reqCons: number; reqProd: number; rspCons: number; rspProd: number; serverFeatures: number; connection: number; error: number;
}

const WORDS = ['req_cons', 'req_prod', 'rsp_cons', 'rsp_prod', 'server_features', 'connection', 'error'] as const;
const KEYS = ['reqCons', 'reqProd', 'rspCons', 'rspProd', 'serverFeatures', 'connection', 'error'] as const;

export function readXenstoreInterface(page: Buffer): XenstoreInterface {
  const x = {} as XenstoreInterface;
  WORDS.forEach((w, i) => { x[KEYS[i]!] = page.readUInt32LE(XENSTORE_DOMAIN_INTERFACE[w]); });
  return x;
}
export function writeXenstoreInterface(page: Buffer, x: XenstoreInterface): void {
  WORDS.forEach((w, i) => page.writeUInt32LE(x[KEYS[i]!] >>> 0, XENSTORE_DOMAIN_INTERFACE[w]));
}
