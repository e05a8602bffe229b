// libvirt's error object as it crosses the wire (remote_error / virNetMessageError), and the
// codes, domains and texts (virterror.h, virerror.c) our endpoint raises. A client prints
// `error: <message>`; the message is the code's prefix followed by the detail, as
// virErrorMsg + virRaiseError compose it.
import { XdrWriter } from '../xdr.ts';

export const VIR_ERR = {
  INTERNAL_ERROR: 1, NO_SUPPORT: 3, INVALID_ARG: 8, OPERATION_FAILED: 9, XML_ERROR: 27,
  OPERATION_DENIED: 29, RPC: 39, NO_DOMAIN: 42, OPERATION_INVALID: 55, CONFIG_UNSUPPORTED: 67,
} as const;

export const VIR_FROM = { NONE: 0, RPC: 7, DOMAIN: 20, LIBXL: 41, XENXL: 64 } as const;

const VIR_ERR_ERROR = 2;

/** The prefix virErrorMsg gives each code (with its detail after it). */
const PREFIX: Record<number, string> = {
  [VIR_ERR.INTERNAL_ERROR]: 'internal error: ',
  [VIR_ERR.NO_SUPPORT]: 'this function is not supported by the connection driver: ',
  [VIR_ERR.INVALID_ARG]: 'invalid argument: ',
  [VIR_ERR.OPERATION_FAILED]: 'operation failed: ',
  [VIR_ERR.XML_ERROR]: 'XML error: ',
  [VIR_ERR.OPERATION_DENIED]: 'operation forbidden: ',
  [VIR_ERR.RPC]: 'RPC error: ',
  [VIR_ERR.NO_DOMAIN]: 'Domain not found: ',
  [VIR_ERR.OPERATION_INVALID]: 'Requested operation is not valid: ',
  [VIR_ERR.CONFIG_UNSUPPORTED]: 'unsupported configuration: ',
};

export class VirError extends Error {
  constructor(readonly code: number, readonly domain: number, detail: string, readonly str1?: string) {
    super(`${PREFIX[code] ?? ''}${detail}`);
  }
}

/** remote_error: code, domain, message, level, dom, str1..3, int1, int2, net. */
export function encodeRemoteError(e: VirError): Buffer {
  const w = new XdrWriter().int(e.code).int(e.domain);
  w.optional(e.message, s => w.string(s)).int(VIR_ERR_ERROR).bool(false);
  // virRaiseError keeps the bare detail format in str1 for most codes; clients print `message`.
  w.optional(e.str1, s => w.string(s)).bool(false).bool(false).int(0).int(0).bool(false);
  return w.toBuffer();
}
