// The hypervisor console ring that `xl dmesg` reads: a bounded buffer of lines.
const RING_BYTES = 16384 * 4;

export class ConsoleRing {
  private lines: string[] = [];
  private bytes = 0;

  constructor(banner: string[]) { for (const l of banner) this.push(l); }

  push(line: string): void {
    this.lines.push(line.endsWith('\n') ? line : line + '\n');
    this.bytes += line.length + 1;
    while (this.bytes > RING_BYTES && this.lines.length > 1) this.bytes -= this.lines.shift()!.length;
  }
  /** `(XEN) ` line, as the hypervisor prints it (console_timestamps=none). */
  xen(msg: string): void { this.push(`(XEN) ${msg}`); }
  read(clear: boolean): string {
    const text = this.lines.join('');
    if (clear) { this.lines = []; this.bytes = 0; }
    return text;
  }
}
