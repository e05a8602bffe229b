// What a request handler is: a short adapter from a request's arguments, typed by the protocol's
// request table, to the toolstack (or the host's other parts), returning the request's result.
// Failures are thrown as they come (LibxlError, ToolError); the server turns them into replies.
import type { Host } from '../host.ts';
import type { ArgsOf, RequestType, ResultOf } from '../../protocol/requests.ts';

export type Handler<T extends RequestType> = (host: Host, args: ArgsOf<T>) => ResultOf<T> | Promise<ResultOf<T>>;

/** Handlers for some of the request types (each module exports those of its area). */
export type Handlers = { [T in RequestType]?: Handler<T> };
