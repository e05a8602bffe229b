// The guest kernel's log on its console: each line stamped with the seconds since boot, as
// printk does, and printk_ratelimited's default limit per call site (10 lines in 5 seconds;
// what it drops is counted in one "<function>: N callbacks suppressed" line).
import type { Clock } from '../machine/clock.ts';

const RATELIMIT_INTERVAL_NS = 5_000_000_000n;
const RATELIMIT_BURST = 10;

/** printk's `[    1.234567]` prefix. */
export function kernelStamp(seconds: number): string { return `[${seconds.toFixed(6).padStart(12)}]`; }

/** The state of one printk_ratelimited call site, named by its function. */
export class Ratelimit {
  begin: bigint | null = null;
  printed = 0;
  missed = 0;
  constructor(readonly func: string) {}
}

export class Printk {
  constructor(private readonly clock: Clock, private readonly bootNs: () => bigint, private readonly write: (s: string) => void) {}

  line(text: string): void {
    this.write(`${kernelStamp(Number(this.clock.now() - this.bootNs()) / 1e9)} ${text}\r\n`);
  }

  ratelimited(rs: Ratelimit, text: string): void {
    const now = this.clock.now();
    if (rs.begin === null) rs.begin = now;
    if (now >= rs.begin + RATELIMIT_INTERVAL_NS) {
      if (rs.missed) this.line(`${rs.func}: ${rs.missed} callbacks suppressed`);
      rs.missed = 0;
      rs.begin = now;
      rs.printed = 0;
    }
    if (rs.printed < RATELIMIT_BURST) { rs.printed++; this.line(text); } else rs.missed++;
  }
}
