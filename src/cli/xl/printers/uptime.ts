// `xl uptime` (xl_info.c uptime_to_string / print_uptime), pure.
import { left, right } from '../printf.ts';

const p2 = (n: number) => String(n).padStart(2);
const z2 = (n: number) => String(n).padStart(2, '0');

export function formatUptime(seconds: number, short: boolean): string {
  let up = Math.max(0, Math.floor(seconds));
  const day = Math.floor(up / 86400); up -= day * 86400;
  const hour = Math.floor(up / 3600); up -= hour * 3600;
  const min = Math.floor(up / 60); const sec = up - min * 60;
  const days = day > 1 ? `${day} days, ` : day === 1 ? `${day} day, ` : '';
  return short ? `${days}${p2(hour)}:${z2(min)}` : `${days}${p2(hour)}:${z2(min)}:${z2(sec)}`;
}

export const UPTIME_HEADER = `${left('Name', 33)} ${right('ID', 4)} Uptime\n`;

export function formatUptimeRow(name: string, domid: number, seconds: number): string {
  return `${left(name, 33)} ${right(domid, 4)} ${formatUptime(seconds, false)}\n`;
}

/** Short form: ` HH:MM:SS up <uptime>, <name> (<domid>)`; `now` is the host's local time of day. */
export function formatUptimeShort(now: Date, name: string, domid: number, seconds: number): string {
  const hms = `${z2(now.getHours())}:${z2(now.getMinutes())}:${z2(now.getSeconds())}`;
  return ` ${hms} up ${formatUptime(seconds, true)}, ${name} (${domid})\n`;
}
