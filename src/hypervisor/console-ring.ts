// The hypervisor console ring that `xl dmesg` reads: a bounded buffer of lines.
const RING_BYTES = 16384 * 4;

/** Xen's log levels (XENLOG_ERR .. XENLOG_DEBUG) and the names guest_loglvl takes for its thresholds. */
export const XENLOG = { err: 0, warning: 1, info: 2, debug: 3 } as const;
const LOGLVL_NAMES: [string, number][] = [['none', 0], ['error', 1], ['warning', 2], ['info', 3], ['debug', 4], ['all', 4]];

export class ConsoleRing {
  private lines: string[] = [];
  private bytes = 0;
  /**
   * guest_loglvl's thresholds: guest messages below `lower` are printed, below `upper` printed
   * rate-limited (not modelled: printed), others dropped. A release build (debug=n) starts at
   * none/warning, as its banner's "Guest Loglevel" line says.
   */
  private guestLower = 0;
  private guestUpper = 2;

  constructor(banner: string[]) { for (const l of banner) this.push(l); }

  push(line: string): void {
    this.lines.push(line.endsWith('\n') ? line : line + '\n');
    this.bytes += line.length + 1;
    while (this.bytes > RING_BYTES && this.lines.length > 1) this.bytes -= this.lines.shift()!.length;
  }
  /** `(XEN) ` line, as the hypervisor prints it (console_timestamps=none). */
  xen(msg: string): void { this.push(`(XEN) ${msg}`); }
  /** guest_printk: a domain's message, `(d<id>) `, kept only if guest_loglvl lets its level through. */
  guest(domid: number, level: number, msg: string): void {
    if (level < this.guestLower || level < this.guestUpper) this.push(`(d${domid}) ${msg}`);
  }
  /** The guest_loglvl parameter: `<level>[/<rate-limited level>]`, an unknown name counting as warning (as Xen's parser does). */
  setGuestLoglvl(value: string): void {
    const parse = (s: string): [number, string] => {
      const hit = LOGLVL_NAMES.find(([n]) => s.startsWith(n));
      return hit ? [hit[1], s.slice(hit[0].length)] : [2, s];
    };
    const [lower, rest] = parse(value);
    const upper = rest.startsWith('/') ? parse(rest.slice(1))[0] : lower;
    this.guestLower = lower;
    this.guestUpper = Math.max(upper, lower);
  }
  read(clear: boolean): string {
    const text = this.lines.join('');
    if (clear) { this.lines = []; this.bytes = 0; }
    return text;
  }
}
