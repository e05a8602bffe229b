// A small console shell in every guest: a login prompt, then a few commands that show the
// guest's view of itself and let a user power it off, reboot it or crash it from the inside.
export interface ShellHost {
  name: string;
  write(s: string): void;
  uptimeSec(): number;
  memKb(): { total: number };
  vcpus(): number;
  poweroff(): void;
  reboot(): void;
  crash(): void;
}

export class Shell {
  private line = '';
  private loggedIn = false;

  constructor(private readonly h: ShellHost) {}

  prompt(): void { this.h.write(this.loggedIn ? `root@${this.h.name}:~# ` : `\r\nDebian GNU/Linux 12 ${this.h.name} hvc0\r\n\r\n${this.h.name} login: `); }

  input(data: string): void {
    for (const ch of data) {
      if (ch === '\r' || ch === '\n') { this.h.write('\r\n'); const l = this.line.trim(); this.line = ''; this.run(l); }
      else if (ch === '\x7f' || ch === '\b') { if (this.line) { this.line = this.line.slice(0, -1); this.h.write('\b \b'); } }
      else if (ch >= ' ') { this.line += ch; this.h.write(ch); }
    }
  }

  private run(cmd: string): void {
    if (!this.loggedIn) {
      if (cmd === 'root') { this.loggedIn = true; this.h.write('Linux ' + this.h.name + ' 6.1.0-xenlab-amd64 #1 SMP x86_64\r\n'); }
      else if (cmd) this.h.write('\r\nLogin incorrect\r\n');
      this.prompt();
      return;
    }
    const [c, ...args] = cmd.split(/\s+/);
    const out = (s: string) => this.h.write(s.replace(/\n/g, '\r\n') + '\r\n');
    switch (c) {
      case '': break;
      case 'uname': out(args.includes('-a') ? `Linux ${this.h.name} 6.1.0-xenlab-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 x86_64 GNU/Linux` : 'Linux'); break;
      case 'hostname': out(this.h.name); break;
      case 'nproc': out(String(this.h.vcpus())); break;
      case 'uptime': out(` up ${Math.floor(this.h.uptimeSec())} seconds`); break;
      case 'free': { const t = this.h.memKb().total; out(`               total        used        free\nMem:    ${String(t).padStart(12)}${String(Math.floor(t / 10)).padStart(12)}${String(t - Math.floor(t / 10)).padStart(12)}`); break; }
      case 'echo': out(args.join(' ')); break;
      case 'poweroff': case 'halt': case 'shutdown': this.h.poweroff(); return;
      case 'reboot': this.h.reboot(); return;
      case 'crash': this.h.crash(); return;
      case 'exit': case 'logout': this.loggedIn = false; break;
      case 'help': out('commands: uname [-a], hostname, nproc, uptime, free, echo, poweroff, reboot, crash, exit'); break;
      default: out(`-bash: ${c}: command not found`);
    }
    this.prompt();
  }
}
