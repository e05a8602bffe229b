// io/netif.h: netfront's transmit and receive rings. On the tx ring the frontend posts packets
// (a granted page, the offset and size of the data in it) and netback answers each with a
// status; on the rx ring it posts empty granted pages and netback answers with what it put in
// them, the size in `status`.
import { ringSize } from './ring.ts';

/** The largest packet a tx request can describe (its `size` is 16 bits). */
export const XEN_NETIF_MAX_TX_SIZE = 0xffff;
export const NETTXF_csum_blank = 1 << 0, NETTXF_data_validated = 1 << 1, NETTXF_more_data = 1 << 2, NETTXF_extra_info = 1 << 3;
export const NETRXF_data_validated = 1 << 0, NETRXF_csum_blank = 1 << 1;
export const NETIF_RSP_DROPPED = -2, NETIF_RSP_ERROR = -1, NETIF_RSP_OKAY = 0;

export const NETIF_TX_REQUEST = { gref: 0, offset: 4, flags: 6, id: 8, size: 10, sizeof: 12 } as const;
export const NETIF_TX_RESPONSE = { id: 0, status: 2, sizeof: 4 } as const;
export const NETIF_RX_REQUEST = { id: 0, pad: 2, gref: 4, sizeof: 8 } as const;
export const NETIF_RX_RESPONSE = { id: 0, offset: 2, flags: 4, status: 6, sizeof: 8 } as const;

/** A slot holds a request or a response (a union): the larger of the two. */
export const NETIF_TX_ENTRY = Math.max(NETIF_TX_REQUEST.sizeof, NETIF_TX_RESPONSE.sizeof);
export const NETIF_RX_ENTRY = Math.max(NETIF_RX_REQUEST.sizeof, NETIF_RX_RESPONSE.sizeof);
export const NET_TX_RING_SIZE = ringSize(NETIF_TX_ENTRY);
export const NET_RX_RING_SIZE = ringSize(NETIF_RX_ENTRY);

export interface NetifTxRequest { gref: number; offset: number; flags: number; id: number; size: number }
export interface NetifTxResponse { id: number; status: number }
export interface NetifRxRequest { id: number; gref: number }
export interface NetifRxResponse { id: number; offset: number; flags: number; status: number }

/** A structure's fields in order: our name, offset, and C type. */
type Fields<T> = [keyof T & string, number, 'u16' | 'i16' | 'u32'][];

function writer<T>(fields: Fields<T>): (b: Buffer, at: number, r: T) => void {
  return (b, at, r) => {
    for (const [k, off, type] of fields) {
      const v = r[k] as number;
      if (type === 'u32') b.writeUInt32LE(v >>> 0, at + off);
      else if (type === 'u16') b.writeUInt16LE(v, at + off);
      else b.writeInt16LE(v, at + off);
    }
  };
}
function reader<T>(fields: Fields<T>): (b: Buffer, at: number) => T {
  return (b, at) => {
    const r = {} as Record<string, number>;
    for (const [k, off, type] of fields) r[k] = type === 'u32' ? b.readUInt32LE(at + off) : type === 'u16' ? b.readUInt16LE(at + off) : b.readInt16LE(at + off);
    return r as T;
  };
}

const L = { tx: NETIF_TX_REQUEST, txr: NETIF_TX_RESPONSE, rx: NETIF_RX_REQUEST, rxr: NETIF_RX_RESPONSE };
const TX_REQUEST: Fields<NetifTxRequest> = [['gref', L.tx.gref, 'u32'], ['offset', L.tx.offset, 'u16'], ['flags', L.tx.flags, 'u16'], ['id', L.tx.id, 'u16'], ['size', L.tx.size, 'u16']];
const TX_RESPONSE: Fields<NetifTxResponse> = [['id', L.txr.id, 'u16'], ['status', L.txr.status, 'i16']];
const RX_REQUEST: Fields<NetifRxRequest> = [['id', L.rx.id, 'u16'], ['gref', L.rx.gref, 'u32']];
const RX_RESPONSE: Fields<NetifRxResponse> = [['id', L.rxr.id, 'u16'], ['offset', L.rxr.offset, 'u16'], ['flags', L.rxr.flags, 'u16'], ['status', L.rxr.status, 'i16']];

export const writeTxRequest = writer(TX_REQUEST), readTxRequest = reader(TX_REQUEST);
export const writeTxResponse = writer(TX_RESPONSE), readTxResponse = reader(TX_RESPONSE);
export const writeRxRequest = writer(RX_REQUEST), readRxRequest = reader(RX_REQUEST);
export const writeRxResponse = writer(RX_RESPONSE), readRxResponse = reader(RX_RESPONSE);
