// What follows a domain's shutdown (xl's handle_domain_death, run here for every domain since
// no xl process stays to watch it): on VIRQ_DOM_EXC the toolstack records the new state, wakes
// whoever waits for it, and applies the configured on_poweroff/on_reboot/on_watchdog/on_crash
// action — destroy, restart, rename-restart or preserve, after a core dump for coredump-destroy
// and coredump-restart (into the host's dump/ directory, where a real host has /var/lib/xen/dump).
import { join } from 'node:path';
import { ShutdownReason } from '../../hypervisor/shutdown-reason.ts';
import { destroy, rename } from './domain.ts';
import { createDomain } from './create.ts';
import type { Toolstack } from './toolstack.ts';
import { dumpCore } from './dump-core.ts';
import { nameAsFileName, privateDir } from '../state-files.ts';

export type ShutdownActionName = 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart' | 'soft-reset';

function actionOf(config: Record<string, any>, key: 'on_poweroff' | 'on_reboot' | 'on_crash' | 'on_watchdog', dflt: ShutdownActionName): ShutdownActionName {
  const v = config[key];
  // libxl's JSON spells xl's rename-restart "restart_rename"; the others differ by '_' alone.
  return typeof v === 'string' ? (v === 'restart_rename' ? 'rename-restart' : v.replace(/_/g, '-') as ShutdownActionName) : dflt;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * handle_domain_death's core dump, before the domain is destroyed or restarted: a failure is
 * logged and the action goes on, as xl does. The event's detail is the file, then xl's failure line.
 */
function coreDump(ts: Toolstack, domid: number, name: string): void {
  const { platform } = ts;
  const file = join(platform.dumpDir, nameAsFileName(name));
  try {
    privateDir(platform.dumpDir);
    dumpCore(ts, domid, file);
    platform.event('coredump', domid, name, file);
  } catch (e) {
    platform.log(message(e));
    platform.event('coredump', domid, name, `${file}\ncore dump failed (rc=-3).`);
  }
}

/** VIRQ_DOM_EXC: a domain shut down (or crashed); apply its configured action. */
export async function onDomainException(ts: Toolstack, domid: number): Promise<void> {
  const { hv, platform } = ts;
  const d = hv.domains.get(domid);
  const rec = ts.records.get(domid);
  if (!d || !rec || !d.shutdown) return;
  // The guest's own doing: applied even if it cannot be recorded (a suspend left unrecorded
  // only means a later start resumes the guest, which is what it would be anyway).
  try { platform.commit(domid); } catch (e) { platform.log(`d${domid}: ${message(e)}`); }
  platform.event('shutdown', domid, rec.name, `reason ${d.shutdownReason}`);
  ts.wake(domid, 'shutdown');
  const reason = d.shutdownReason;
  if (reason === ShutdownReason.suspend) return; // the saver handles it
  const action = reason === ShutdownReason.poweroff ? actionOf(rec.config, 'on_poweroff', 'destroy')
    : reason === ShutdownReason.reboot ? actionOf(rec.config, 'on_reboot', 'restart')
    : reason === ShutdownReason.watchdog ? actionOf(rec.config, 'on_watchdog', 'destroy')
    : actionOf(rec.config, 'on_crash', 'destroy');
  platform.log(`Domain ${domid} has shut down, reason code ${reason} 0x${reason.toString(16)}`);
  platform.log(`Action for shutdown reason code ${reason} is ${action}`);
  // What xl's monitor (create -F) reports and then waits to see done.
  platform.event('action', domid, rec.name, action);
  if (action === 'preserve') return;
  if (action === 'coredump-destroy' || action === 'coredump-restart') coreDump(ts, domid, rec.name);
  if (action === 'destroy' || action === 'coredump-destroy') { await destroy(ts, domid); return; }
  // restart / rename-restart / coredump-restart / soft-reset: a new domain from the stored config
  const keep = action === 'rename-restart';
  if (keep) {
    const stamp = new Date(hv.clock.wallMs()).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
    // xl's preserve_domain: when the rename fails the old domain stays as it is, and no new one starts.
    try { await rename(ts, domid, rec.name, `${rec.name}-${stamp}`); } catch (e) {
      platform.log(message(e));
      platform.event('preserve-failed', domid, rec.name, message(e));
      return;
    }
  } else await destroy(ts, domid);
  const cfg = structuredClone(rec.config);
  delete cfg.c_info.uuid;
  if (keep) cfg.c_info.name = rec.name.replace(/-\d{8}T\d{4}Z$/, '');
  try {
    const nrec = await createDomain(ts, { config: cfg, workload: rec.workload ?? undefined, configText: rec.configText, configFile: rec.configFile, paused: false, cwd: rec.cwd });
    platform.event('reboot', nrec.domid, nrec.name, `from domid ${domid}`);
  } catch (e) {
    platform.log(`failed to restart ${rec.name}: ${message(e)}`);
    platform.event('restart-failed', domid, rec.name, message(e));
  }
}
