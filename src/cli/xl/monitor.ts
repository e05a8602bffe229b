// xl create -F: the loop real xl's create_domain runs once the domain is up (xl_vmcontrol.c,
// with handle_domain_death and preserve_domain). xenlabd performs the on_poweroff/on_reboot/...
// action itself; this follows the daemon's lifecycle events and logs what xl logs, and stays
// attached to the new domain a restart builds, as xl does when it goes round to create it again.
import type { DaemonClient } from './command.ts';
import type { XlIo } from './io.ts';
import type { Streams } from '../../protocol/streams.ts';
import { ShutdownReason } from '../../protocol/domain.ts';

type LifecycleEvent = Streams['events.watch']['event'];

/** Actions after which xl destroys the domain itself (handle_domain_death's fall-through). */
const DESTROYING = new Set(['destroy', 'restart', 'coredump-destroy', 'coredump-restart']);
/** Actions after which a new domain is built. */
const RESTARTING = new Set(['restart', 'rename-restart', 'coredump-restart', 'soft-reset']);

/** Exit statuses of create_domain's failures: a failed preserve (-1), a failed create (ERROR_FAIL). */
const PRESERVE_FAILED = 1;
const CREATE_FAILED = 3;

export interface DomainMonitor {
  /** Follow a domain (and its restarts) until none is left to follow; the exit status. */
  follow(domid: number, name: string): Promise<number>;
  cancel(): void;
}

/**
 * Subscribe before the domain is created, so that nothing it does between its creation and the
 * first wait can be missed.
 */
export function monitorDomains(d: DaemonClient, io: XlIo): DomainMonitor {
  const queue: LifecycleEvent[] = [];
  let wake = (): void => {};
  let ended: unknown = null;
  const stream = d.stream('events.watch', {}, e => { queue.push(e); wake(); });
  stream.done.then(() => { ended ??= new Error('xenlabd ended the event stream'); }, e => { ended = e; }).finally(() => wake());
  const next = async (): Promise<LifecycleEvent> => {
    while (!queue.length) {
      if (ended) throw ended;
      await new Promise<void>(r => { wake = r; });
    }
    return queue.shift()!;
  };
  const log = (line: string): void => io.err(`${line}\n`);

  /** One domain's life, up to its death (undefined) or the domid and name of its successor. */
  async function untilDeath(domid: number, name: string): Promise<number | { domid: number; name: string }> {
    let reason = -1;
    let action: string | undefined;
    for (;;) {
      const e = await next();
      if (e.kind === 'reboot' && e.detail === `from domid ${domid}`) {
        if (action === 'rename-restart') {
          const [old] = await d.request('domain.list', { doms: [String(domid)] }).catch(() => []);
          log(`Preserving domain ${domid} ${name} with suffix${old?.name?.slice(name.length) ?? ''}`);
        }
        log('Done. Rebooting now');
        return { domid: e.domid, name: e.name ?? name };
      }
      if (e.domid !== domid) continue;
      if (e.kind === 'shutdown' && reason < 0) {
        reason = Number(e.detail?.replace(/^reason /, ''));
        log(`Domain ${domid} has shut down, reason code ${reason} 0x${reason.toString(16)}`);
        if (reason === ShutdownReason.suspend) {
          log('Domain has suspended.');
          log('Done. Exiting now');
          return 0;
        }
      } else if (e.kind === 'action' && reason >= 0) {
        action = e.detail ?? '';
        log(`Action for shutdown reason code ${reason} is ${action}`);
        if (!RESTARTING.has(action) && !DESTROYING.has(action)) { log('Done. Exiting now'); return 0; }
        // After a core dump, once it is written.
        if (DESTROYING.has(action) && !action.startsWith('coredump-')) log(`Domain ${domid} needs to be cleaned up: destroying the domain`);
      } else if (e.kind === 'coredump') {
        const [file, ...failure] = (e.detail ?? '').split('\n');
        log(`dumping core to ${file}`);
        for (const l of failure) log(l);
        log(`Domain ${domid} needs to be cleaned up: destroying the domain`);
      } else if (e.kind === 'destroy') {
        if (action === undefined) { log(`Domain ${domid} has been destroyed.`); return 0; }
        if (!RESTARTING.has(action)) { log('Done. Exiting now'); return 0; }
      } else if (e.kind === 'restart-failed' || e.kind === 'preserve-failed') {
        if (e.detail) log(e.detail);
        return e.kind === 'preserve-failed' ? PRESERVE_FAILED : CREATE_FAILED;
      }
    }
  }

  return {
    async follow(domid, name) {
      try {
        for (;;) {
          log(`Waiting for domain ${name} (domid ${domid}) to die [pid ${process.pid}]`);
          const after = await untilDeath(domid, name);
          if (typeof after === 'number') return after;
          ({ domid, name } = after);
        }
      } finally { stream.cancel(); }
    },
    cancel: () => stream.cancel(),
  };
}
