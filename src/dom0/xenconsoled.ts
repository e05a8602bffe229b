// xenconsoled: maps each guest's console page (its reserved console grant) and binds its console
// port, reads the guest's output from the page's out ring when notified and writes input into
// its in ring; keeps a scroll-back for `xl console` and writes the log file
// logs/console/guest-<name>.log, as the real daemon does with log-guest enabled.
// An HVM guest's serial port is QEMU's pty rather than xenconsoled's; it is attached the same
// way here, and like QEMU's pty it has no log file.
// libxl accepts any name, '/' and '..' included, and the real daemon puts it in the path as it
// is; here a name is always one file name inside logs/console (see logFile).
import { appendStateFile, nameAsFileName, privateDir } from './state-files.ts';
import { bytesFromText, textFromBytes } from '../formats/byte-text.ts';
import { dirname, join } from 'node:path';
import type { ConsoleBackend } from '../hypervisor/console-page.ts';
import { GNTTAB_RESERVED_CONSOLE } from '../hypervisor/grant-table.ts';
import { ByteRingChannel, XENCONS_IN_RING, XENCONS_OUT_RING } from '../formats/xen-ring/index.ts';
import type { XenDevices } from './xen-devices.ts';

const HISTORY_BYTES = 64 * 1024;

/**
 * guest-<name>.log with '%', '/' and NUL written %25, %2F, %00: every name is a single file name
 * (the "guest-" prefix rules out '.' and '..'), and ordinary names keep the real daemon's file
 * name. Null if the result would still leave `dir` (it cannot; the check guards the invariant).
 */
export function logFile(dir: string, name: string): string | null {
  const path = join(dir, `guest-${nameAsFileName(name)}.log`);
  return dirname(path) === dir ? path : null;
}

/** The PV console (console/ in xenstore) or the emulated serial port (serial/0). */
export type ConsoleKind = 'pv' | 'serial';

interface ConsoleState { page: ConsoleBackend; name: string; history: string; listeners: Set<(d: string) => void>; port?: number }

export class Xenconsoled {
  private consoles = new Map<number, Map<ConsoleKind, ConsoleState>>();
  /** The PV consoles let go by a crash, to take up again on restart(). */
  private down: { domid: number; name: string; port: number }[] = [];
  /** `xen`: the gntdev and evtchn devices the guests' console pages are mapped and bound through. */
  constructor(private readonly logDir: string, private readonly xen: XenDevices) { privateDir(join(logDir, 'console')); }

  /** A guest's PV console: its page (the reserved console grant) and the console port libxl allocated. */
  connect(domid: number, name: string, port: number): void {
    const page = this.xen.mapPage(domid, GNTTAB_RESERVED_CONSOLE);
    let channel: ByteRingChannel | null = null;
    const local = this.xen.bindInterdomain(domid, port, () => channel?.event());
    channel = new ByteRingChannel(page, { out: XENCONS_IN_RING, in: XENCONS_OUT_RING }, () => this.xen.notify(local));
    const ring = channel;
    this.add(domid, name, { onOutput: cb => ring.onData(b => cb(textFromBytes(b))), backendWrite: d => ring.write(bytesFromText(d)) });
    this.consoles.get(domid)!.get('pv')!.port = port;
    // Output the guest wrote before xenconsoled was there.
    ring.event();
  }

  add(domid: number, name: string, page: ConsoleBackend, kind: ConsoleKind = 'pv'): void {
    const st: ConsoleState = { page, name, history: '', listeners: new Set() };
    const of = this.consoles.get(domid) ?? new Map<ConsoleKind, ConsoleState>();
    of.set(kind, st);
    this.consoles.set(domid, of);
    page.onOutput(d => {
      st.history = (st.history + d).slice(-HISTORY_BYTES);
      const file = kind === 'pv' ? logFile(join(this.logDir, 'console'), st.name) : null;
      try { if (file) appendStateFile(file, bytesFromText(d.replace(/\r\n/g, '\n'))); } catch {}
      for (const l of st.listeners) l(d);
    });
  }

  /**
   * The daemon dies (a crash, or Dom0 going down): every PV console's page is let go and its
   * port unbound, so guests' output waits in their rings and `xl console` clients see the
   * console go.
   */
  crash(): void {
    for (const [domid, of] of this.consoles) {
      const pv = of.get('pv');
      if (pv?.port === undefined) continue;
      for (const l of pv.listeners) l('');
      of.delete('pv');
      this.xen.release(domid);
      this.down.push({ domid, name: pv.name, port: pv.port });
    }
  }

  /** Started again (as systemd restarts it): each console mapped and bound afresh; what the guests wrote meanwhile is read at once. */
  restart(): void {
    for (const c of this.down.splice(0)) if (this.consoles.has(c.domid)) this.connect(c.domid, c.name, c.port);
  }

  rename(domid: number, name: string): void { for (const s of this.consoles.get(domid)?.values() ?? []) s.name = name; }

  remove(domid: number): void {
    for (const s of this.consoles.get(domid)?.values() ?? []) for (const l of s.listeners) l('');
    this.consoles.delete(domid);
    this.xen.release(domid);
  }

  /**
   * Attach: get the scroll-back, then live output; `''` means the console went away. Asked for
   * a serial port the domain does not have, xenconsole takes its PV console instead.
   */
  attach(domid: number, kind: ConsoleKind, onData: (d: string) => void): { history: string; input: (d: string) => void; detach: () => void } | undefined {
    const of = this.consoles.get(domid);
    const s = of?.get(kind) ?? of?.get('pv');
    if (!s) return undefined;
    s.listeners.add(onData);
    return { history: s.history, input: d => s.page.backendWrite(d), detach: () => s.listeners.delete(onData) };
  }
}
