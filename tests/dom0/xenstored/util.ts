// In-process clients of a Xenstored, one per domain, as guests and the toolstack use it.

import { XsClient, XsError } from '../../../src/formats/xenstore-client.ts';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';

export function domainClient(xs: Xenstored, domid: number): { client: XsClient; events: [string, string][]; close(): void } {
  const ep = xs.connectDomain(domid);
  const client = new XsClient(buf => ep.write(buf));
  ep.onData(buf => client.feed(buf));
  const events: [string, string][] = [];
  client.onWatchEvent((p, t) => events.push([p, t]));
  return { client, events, close: () => { ep.close(); client.close(); } };
}

/** The wire error name a promise rejects with, or 'OK'. */
export async function errOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'OK'; } catch (e) { if (e instanceof XsError) return e.code; throw e; }
}
