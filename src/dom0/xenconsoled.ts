// xenconsoled: reads each guest's console page, keeps a scroll-back for `xl console` and writes
// the log file logs/console/guest-<name>.log, as the real daemon does with log-guest enabled.
// libxl accepts any name, '/' and '..' included, and the real daemon puts it in the path as it
// is; here a name is always one file name inside logs/console (see logFile).
import { appendStateFile, privateDir } from './state-files.ts';
import { bytesFromText } from '../formats/byte-text.ts';
import { dirname, join } from 'node:path';
import type { ConsolePage } from '../hypervisor/console-page.ts';

const HISTORY_BYTES = 64 * 1024;

/**
 * guest-<name>.log with '%', '/' and NUL written %25, %2F, %00: every name is a single file name
 * (the "guest-" prefix rules out '.' and '..'), and ordinary names keep the real daemon's file
 * name. Null if the result would still leave `dir` (it cannot; the check guards the invariant).
 */
export function logFile(dir: string, name: string): string | null {
  const escaped = name.replace(/[%/\0]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  const path = join(dir, `guest-${escaped}.log`);
  return dirname(path) === dir ? path : null;
}

interface ConsoleState { page: ConsolePage; name: string; history: string; listeners: Set<(d: string) => void> }

export class Xenconsoled {
  private consoles = new Map<number, ConsoleState>();
  constructor(private readonly logDir: string) { privateDir(join(logDir, 'console')); }

  add(domid: number, name: string, page: ConsolePage): void {
    const st: ConsoleState = { page, name, history: '', listeners: new Set() };
    this.consoles.set(domid, st);
    page.onOutput(d => {
      st.history = (st.history + d).slice(-HISTORY_BYTES);
      const file = logFile(join(this.logDir, 'console'), st.name);
      try { if (file) appendStateFile(file, bytesFromText(d.replace(/\r\n/g, '\n'))); } catch {}
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
