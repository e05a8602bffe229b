// A small console shell in every guest: a login prompt, then a few commands that show the
// guest's view of itself and let a user power it off, reboot it or crash it from the inside.
// The commands that Debian has print what its procps and coreutils print.
import type { CommandResult } from './command.ts';
import { parseFree } from './free.ts';
import { guestMeminfo } from './meminfo.ts';
import { uname, GUEST_UTS } from './uname.ts';
import { loadavg, uptime } from './uptime.ts';
import { cat } from './cat.ts';

export interface ShellHost {
  name: string;
  /** The terminal the login prompt is on (agetty's \l): hvc0, or ttyS0 for an HVM guest's serial. */
  tty: string;
  write(s: string): void;
  uptimeSec(): number;
  /** The guest's time of day (ms since the epoch; its clock is UTC). */
  wallMs(): number;
  memKb(): { total: number };
  /** Tasks wanting a CPU in the guest's steady state (what its load averages tend to). */
  runnable(): number;
  /** Run `fn` after `sec` seconds of the guest's time; the result cancels it. */
  after(sec: number, fn: () => void): () => void;
  vcpus(): number;
  /** The text of /proc/interrupts. */
  procInterrupts(): string;
  poweroff(): void;
  reboot(): void;
  crash(): void;
  /** The block devices' sizes in 512-byte sectors, by name (/sys/block/NAME/size). */
  blockSizes(): Record<string, number>;
  /** xenlab-fault (a xenlab extension): make one of the guest's frontends misbehave. */
  fault(args: string[]): CommandResult;
  /** lspci: the PCI devices the guest sees. */
  lspci(args: string[]): CommandResult;
  /** A driver domain's xl (its `xl devd`); `stop` when the command holds the terminal until ^C. Absent on other guests. */
  xl?(args: string[]): { result: CommandResult; stop?: () => void };
}

export class Shell {
  private line = '';
  private loggedIn = false;
  /** Stops the command still running (free -s), which holds the console until it ends or ^C. */
  private running: (() => void) | null = null;

  constructor(private readonly h: ShellHost) {}

  prompt(): void { this.h.write(this.loggedIn ? `root@${this.h.name}:~# ` : `\r\nDebian GNU/Linux 12 ${this.h.name} ${this.h.tty}\r\n\r\n${this.h.name} login: `); }

  input(data: string): void {
    for (const ch of data) {
      if (ch === '\x03') { if (this.loggedIn) this.interrupt(); continue; }
      if (this.running) continue;
      if (ch === '\r' || ch === '\n') { this.h.write('\r\n'); const l = this.line.trim(); this.line = ''; this.run(l); }
      else if (ch === '\x7f' || ch === '\b') { if (this.line) { this.line = this.line.slice(0, -1); this.h.write('\b \b'); } }
      else if (ch >= ' ') { this.line += ch; this.h.write(ch); }
    }
  }

  /** Ctrl-C: the terminal echoes ^C; the running command (or the line being typed) is dropped. */
  private interrupt(): void {
    this.running?.();
    this.running = null;
    this.line = '';
    this.h.write('^C\r\n');
    this.prompt();
  }

  private run(cmd: string): void {
    if (!this.loggedIn) {
      // Debian's motd starts with `uname -snrvm`.
      if (cmd === 'root') { this.loggedIn = true; this.h.write(`${GUEST_UTS.sysname} ${this.h.name} ${GUEST_UTS.release} ${GUEST_UTS.version} ${GUEST_UTS.machine}\r\n`); }
      else if (cmd) this.h.write('\r\nLogin incorrect\r\n');
      this.prompt();
      return;
    }
    const [c, ...args] = cmd.split(/\s+/);
    const out = (s: string) => this.h.write(s.replace(/\n/g, '\r\n') + '\r\n');
    const show = (r: CommandResult) => this.h.write((r.stdout + r.stderr).replace(/\n/g, '\r\n'));
    switch (c) {
      case '': break;
      case 'uname': show(uname(args, this.h.name)); break;
      case 'hostname': out(this.h.name); break;
      case 'nproc': out(String(this.h.vcpus())); break;
      case 'uptime': {
        const up = this.h.uptimeSec();
        // One user: root, logged in on this console.
        show(uptime(args, { uptimeSec: up, wallMs: this.h.wallMs(), users: 1, loadavg: loadavg(this.h.runnable(), up) }));
        break;
      }
      case 'free': {
        const p = parseFree(args);
        if ('result' in p) { show(p.result); break; }
        this.repeat(p.run.intervalSec, p.run.count, () => p.run.table(guestMeminfo(this.h.memKb().total)));
        return;
      }
      case 'echo': out(args.join(' ')); break;
      case 'cat': {
        const sys = Object.fromEntries(Object.entries(this.h.blockSizes()).map(([dev, n]) => [`/sys/block/${dev}/size`, () => `${n}\n`]));
        show(cat(args, { '/proc/interrupts': () => this.h.procInterrupts(), ...sys }));
        break;
      }
      case 'poweroff': case 'halt': case 'shutdown': this.h.poweroff(); return;
      case 'reboot': this.h.reboot(); return;
      case 'crash': this.h.crash(); return;
      case 'xenlab-fault': show(this.h.fault(args)); break;
      case 'lspci': show(this.h.lspci(args)); break;
      case 'xl': {
        if (!this.h.xl) { out(`-bash: ${c}: command not found`); break; }
        const r = this.h.xl(args);
        show(r.result);
        if (r.stop) { this.running = r.stop; return; }
        break;
      }
      case 'exit': case 'logout': this.loggedIn = false; break;
      case 'help': out('commands: uname, hostname, nproc, uptime, free, echo, cat, lspci, poweroff, reboot, crash, exit, xenlab-fault'); break;
      default: out(`-bash: ${c}: command not found`);
    }
    this.prompt();
  }

  /** Print `text()` now and, with an interval, again every `intervalSec` (`count` times in all, or until ^C). */
  private repeat(intervalSec: number | null, count: number | null, text: () => string): void {
    this.h.write(text().replace(/\n/g, '\r\n'));
    if (intervalSec === null || (count !== null && count <= 1)) { this.running = null; this.prompt(); return; }
    this.h.write('\r\n');
    this.running = this.h.after(intervalSec, () => this.repeat(intervalSec, count === null ? null : count - 1, text));
  }
}
