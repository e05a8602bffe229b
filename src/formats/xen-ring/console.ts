// io/console.h: the console page, two byte rings (input to the guest, output from it) with
// their consumer and producer indexes after them.
import type { ByteRing } from './byte-ring.ts';

export const XENCONS_INTERFACE = { in: 0, out: 1024, in_cons: 3072, in_prod: 3076, out_cons: 3080, out_prod: 3084, sizeof: 3088 } as const;
export const XENCONS_IN_SIZE = 1024, XENCONS_OUT_SIZE = 2048;
/** Input to the guest (xenconsoled writes) and the guest's output (xenconsoled reads). */
export const XENCONS_IN_RING: ByteRing = { data: 0, size: XENCONS_IN_SIZE, cons: 3072, prod: 3076 };
export const XENCONS_OUT_RING: ByteRing = { data: 1024, size: XENCONS_OUT_SIZE, cons: 3080, prod: 3084 };

export interface XenconsIndexes { inCons: number; inProd: number; outCons: number; outProd: number }

export function readConsoleIndexes(page: Buffer): XenconsIndexes {
  const L = XENCONS_INTERFACE;
  return { inCons: page.readUInt32LE(L.in_cons), inProd: page.readUInt32LE(L.in_prod), outCons: page.readUInt32LE(L.out_cons), outProd: page.readUInt32LE(L.out_prod) };
}
export function writeConsoleIndexes(page: Buffer, x: XenconsIndexes): void {
  const L = XENCONS_INTERFACE;
  page.writeUInt32LE(x.inCons >>> 0, L.in_cons);
  page.writeUInt32LE(x.inProd >>> 0, L.in_prod);
  page.writeUInt32LE(x.outCons >>> 0, L.out_cons);
  page.writeUInt32LE(x.outProd >>> 0, L.out_prod);
}
