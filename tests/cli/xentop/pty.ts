// A program under a real pseudo-terminal (node-pty) whose screen is kept by a headless xterm, so
// tests read the screen as text the way a user sees it. Waiting is on output events, with a
// generous timeout that only turns a hang into a readable failure.
import pty from 'node-pty';
import xterm from '@xterm/headless';

export class PtyScreen {
  readonly term: InstanceType<typeof xterm.Terminal>;
  private proc: pty.IPty;
  raw = '';
  private waiters = new Set<() => void>();
  readonly exited: Promise<number>;

  constructor(file: string, args: string[], opts: { cols: number; rows: number; env?: NodeJS.ProcessEnv; cwd?: string }) {
    this.term = new xterm.Terminal({ cols: opts.cols, rows: opts.rows, allowProposedApi: true });
    this.proc = pty.spawn(file, args, { cols: opts.cols, rows: opts.rows, cwd: opts.cwd, env: { ...process.env, ...opts.env } as Record<string, string> });
    this.proc.onData(d => {
      this.raw += d;
      this.term.write(d, () => { for (const w of this.waiters) w(); });
    });
    // node-pty reports the exit once the last output is read; an empty write's callback comes
    // once the terminal has parsed everything written before it (a delay would only guess).
    this.exited = new Promise(resolve => this.proc.onExit(e => { this.term.write('', () => resolve(e.exitCode)); for (const w of this.waiters) w(); }));
  }

  /** The visible screen, one line per row, trailing blanks removed. */
  text(): string {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out.join('\n');
  }

  bufferType(): string { return this.term.buffer.active.type; }

  cell(x: number, y: number) {
    const b = this.term.buffer.active;
    return b.getLine(b.viewportY + y)?.getCell(x);
  }

  /** Resolves once pred holds for the screen; rejects with the screen after timeoutMs. */
  waitFor(pred: (screen: string) => boolean, what: string, timeoutMs = 20000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred(this.text())) return;
        this.waiters.delete(check); clearTimeout(timer); resolve();
      };
      const timer = setTimeout(() => { this.waiters.delete(check); reject(new Error(`timed out waiting for ${what}; screen:\n${this.text()}`)); }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  write(keys: string): void { this.proc.write(keys); }

  resize(cols: number, rows: number): void { this.proc.resize(cols, rows); this.term.resize(cols, rows); }

  kill(): void { try { this.proc.kill(); } catch {} }
}
