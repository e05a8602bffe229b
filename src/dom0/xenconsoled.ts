// xenconsoled: reads each guest's console page, keeps a scroll-back for `xl console` and writes
// the log file logs/console/guest-<name>.log, as the real daemon does with log-guest enabled.
import { appendStateFile, privateDir } from './state-files.ts';
import { join } from 'node:path';
import type { ConsolePage } from '../hypervisor/console-page.ts';

const HISTORY_BYTES = 64 * 1024;

interface ConsoleState { page: ConsolePage; name: string; history: string; listeners: Set<(d: string) => void> }

export class Xenconsoled {
  private consoles = new Map<number, ConsoleState>();
  constructor(private readonly logDir: string) { privateDir(join(logDir, 'console')); }

  add(domid: number, name: string, page: ConsolePage): void {
    const st: ConsoleState = { page, name, history: '', listeners: new Set() };
    this.consoles.set(domid, st);
    page.onOutput(d => {
      st.history = (st.history + d).slice(-HISTORY_BYTES);
      try { appendStateFile(join(this.logDir, 'console', `guest-${st.name}.log`), d.replace(/\r\n/g, '\n')); } catch {}
      for (const l of st.listeners) l(d);
    });
  }

  rename(domid: number, name: string): void { const s = this.consoles.get(domid); if (s) s.name = name; }

  remove(domid: number): void {
    const s = this.consoles.get(domid);
    if (!s) return;
    for (const l of s.listeners) l('');
    this.consoles.delete(domid);
  }

  /** Attach: get the scroll-back, then live output; `''` means the console went away. */
  attach(domid: number, onData: (d: string) => void): { history: string; input: (d: string) => void; detach: () => void } | undefined {
    const s = this.consoles.get(domid);
    if (!s) return undefined;
    s.listeners.add(onData);
    return { history: s.history, input: d => s.page.backendWrite(d), detach: () => s.listeners.delete(onData) };
  }
}
