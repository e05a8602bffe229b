// The hypervisor console ring that `xl dmesg` reads (console.c's conring): a ring of characters,
// not lines. Once it wraps, the oldest characters are overwritten, so the boot log goes first
// and what `xl dmesg` shows may begin in the middle of a line, as on a real host.

/**
 * console_init_postirq's size: 2 KiB per present CPU at a release build's log level
 * (nr << (9 + 2)), at least the 16 KiB static ring, rounded up to a power of two pages.
 */
export function conringSize(nrCpus: number): number {
  let size = 16384;
  while (size < nrCpus << 11) size *= 2;
  return size;
}

/** Xen's log levels (XENLOG_ERR .. XENLOG_DEBUG) and the names loglvl and guest_loglvl take for their thresholds. */
export const XENLOG = { err: 0, warning: 1, info: 2, debug: 3 } as const;
const LOGLVL_NAMES: [string, number][] = [['none', 0], ['error', 1], ['warning', 2], ['info', 3], ['debug', 4], ['all', 4]];
/** How hypfs shows a threshold (4 reads back as all). */
const LOGLVL_SHOWN = ['none', 'error', 'warning', 'info', 'all'];

/** The runtime parameters holding the thresholds: Xen's own messages, and guest-provoked ones. */
export const LOGLVL_PARAMS = ['loglvl', 'guest_loglvl'] as const;
export type LoglvlParam = typeof LOGLVL_PARAMS[number];

export class ConsoleRing {
  /** What is between conringc and conringp. */
  private text = '';
  /**
   * Messages below `lower` are printed, below `upper` printed rate-limited (not modelled: printed),
   * others dropped. A release build (debug=n) starts at loglvl=warning and guest_loglvl=none/warning,
   * as its banner's "Loglevel" lines say.
   */
  private thresholds: Record<LoglvlParam, { lower: number; upper: number }> = {
    loglvl: { lower: 2, upper: 2 }, guest_loglvl: { lower: 0, upper: 2 },
  };

  constructor(banner: string[], readonly size = conringSize(1)) { for (const l of banner) this.push(l); }

  push(line: string): void {
    this.text += line.endsWith('\n') ? line : line + '\n';
    if (this.text.length > this.size) this.text = this.text.slice(this.text.length - this.size);
  }
  /** `(XEN) ` line, as the hypervisor prints it (console_timestamps=none); a printk without a level is a warning. */
  xen(msg: string, level: number = XENLOG.warning): void {
    if (this.passes('loglvl', level)) this.push(`(XEN) ${msg}`);
  }
  /** guest_printk: a domain's message, `(d<id>) `, kept only if guest_loglvl lets its level through. */
  guest(domid: number, level: number, msg: string): void {
    if (this.passes('guest_loglvl', level)) this.push(`(d${domid}) ${msg}`);
  }
  private passes(param: LoglvlParam, level: number): boolean {
    const t = this.thresholds[param];
    return level < t.lower || level < t.upper;
  }
  /**
   * Set a threshold from `<level>[/<rate-limited level>]`. As Xen's parser does, an unknown name
   * counts as warning, and the thresholds are set even when trailing text makes the write fail (false).
   */
  setLoglvl(param: LoglvlParam, value: string): boolean {
    const parse = (s: string): [number, string] => {
      const hit = LOGLVL_NAMES.find(([n]) => s.startsWith(n));
      return hit ? [hit[1], s.slice(hit[0].length)] : [2, s];
    };
    const [lower, rest] = parse(value);
    const [upper, tail] = rest.startsWith('/') ? parse(rest.slice(1)) : [lower, rest];
    this.thresholds[param] = { lower, upper: Math.max(upper, lower) };
    return tail === '';
  }
  /** The parameter's value as hypfs shows it: `<lower>/<upper>`. */
  loglvl(param: LoglvlParam): string {
    const t = this.thresholds[param];
    return `${LOGLVL_SHOWN[t.lower]}/${LOGLVL_SHOWN[t.upper]}`;
  }
  read(clear: boolean): string {
    const text = this.text;
    if (clear) this.text = '';
    return text;
  }
}
