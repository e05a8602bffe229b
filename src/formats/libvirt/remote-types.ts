// The remote protocol's shared types (remote_protocol.x): domain references, UUIDs and typed
// parameters, with the bounds the protocol sets.
import { XdrError, XdrReader, XdrWriter } from '../xdr.ts';

export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const KEEPALIVE_VERSION = 1;
export const KEEPALIVE_PROC = { PING: 1, PONG: 2 } as const;

/** REMOTE_STRING_MAX and REMOTE_CPUMAP_MAX. */
export const STRING_MAX = 4194304;
export const CPUMAP_MAX = 2048;

/** remote_nonnull_domain: what a client holds of a domain (id -1 when it is not running). */
export interface DomainRef { name: string; uuid: string; id: number }

export function uuidBytes(uuid: string): Buffer { return Buffer.from(uuid.replace(/-/g, ''), 'hex'); }

export function uuidString(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function readDomain(r: XdrReader): DomainRef {
  return { name: r.string(STRING_MAX), uuid: uuidString(r.fixedOpaque(16)), id: r.int() };
}

export function writeDomain(w: XdrWriter, d: DomainRef): void {
  w.string(d.name).fixedOpaque(uuidBytes(d.uuid)).int(d.id);
}

/** virTypedParameterType. */
export const enum TypedParamType { INT = 1, UINT = 2, LLONG = 3, ULLONG = 4, DOUBLE = 5, BOOLEAN = 6, STRING = 7 }

export type TypedParam =
  | { field: string; type: TypedParamType.INT | TypedParamType.UINT | TypedParamType.BOOLEAN | TypedParamType.DOUBLE; value: number }
  | { field: string; type: TypedParamType.LLONG | TypedParamType.ULLONG; value: bigint }
  | { field: string; type: TypedParamType.STRING; value: string };

export function writeTypedParams(w: XdrWriter, params: readonly TypedParam[]): void {
  w.array(params, p => {
    w.string(p.field).int(p.type);
    switch (p.type) {
      case TypedParamType.INT: case TypedParamType.BOOLEAN: w.int(p.value); break;
      case TypedParamType.UINT: w.uint(p.value); break;
      case TypedParamType.LLONG: w.hyper(p.value); break;
      case TypedParamType.ULLONG: w.uhyper(p.value); break;
      case TypedParamType.DOUBLE: w.double(p.value); break;
      case TypedParamType.STRING: w.string(p.value); break;
    }
  });
}

export function readTypedParams(r: XdrReader, max: number): TypedParam[] {
  return r.array(max, () => {
    const field = r.string(STRING_MAX);
    const type = r.int();
    switch (type) {
      case TypedParamType.INT: case TypedParamType.BOOLEAN: return { field, type, value: r.int() };
      case TypedParamType.UINT: return { field, type, value: r.uint() };
      case TypedParamType.LLONG: return { field, type, value: r.hyper() };
      case TypedParamType.ULLONG: return { field, type, value: r.uhyper() };
      case TypedParamType.DOUBLE: return { field, type, value: r.double() };
      case TypedParamType.STRING: return { field, type, value: r.string(STRING_MAX) };
      default: throw new XdrError(`typed parameter ${field} of unknown type ${type}`);
    }
  });
}
