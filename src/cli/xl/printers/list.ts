// `xl list` / `xl claims` / `xl vm-list` rows (xl_info.c list_domains), pure.
import type { DomainInfo } from '../../../protocol/domain.ts';
import { cpuSeconds, left, right } from '../printf.ts';

export interface ListOptions { verbose?: boolean; context?: boolean; claim?: boolean; cpupool?: boolean; numa?: boolean }

const REASON_LETTERS = '-rscwS';

export function formatListHeader(o: ListOptions): string {
  let h = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';
  if (o.verbose) h += '   UUID                            Reason-Code\tSecurity Label';
  if (o.context && !o.verbose) h += '   Security Label';
  if (o.claim) h += '  Claimed';
  if (o.cpupool) h += '         Cpupool';
  if (o.numa) h += ' NODE Affinity';
  return h + '\n';
}

/** The six state letters: r b p s <reason> d. */
export function stateLetters(d: DomainInfo): string {
  const reason = d.shutdown ? d.shutdownReason : 0;
  return (d.running ? 'r' : '-') + (d.blocked ? 'b' : '-') + (d.paused ? 'p' : '-') + (d.shutdown ? 's' : '-')
    + (reason >= 0 && reason < REASON_LETTERS.length ? REASON_LETTERS[reason] : '?') + (d.dying ? 'd' : '-');
}

/** `nodeAffinity` is the printed node bitmap for -n (xenlab domains have no NUMA placement: `all`). */
export function formatListRow(d: DomainInfo, o: ListOptions, nodeAffinity = 'all'): string {
  const memMiB = Math.floor((d.currentMemkb + d.outstandingMemkb) / 1024);
  let r = `${left(d.name ?? '(null)', 40)} ${right(d.domid, 5)} ${right(memMiB, 5)} ${right(d.vcpuOnline, 5)}     ${stateLetters(d)}  ${cpuSeconds(d.cpuTimeNs, 8)}`;
  if (o.verbose) {
    r += ` ${d.uuid}`;
    r += d.shutdown ? ` ${right(d.shutdownReason.toString(16), 8)}` : ` ${right('-', 8)}`;
  }
  if (o.claim) r += ` ${right(Math.floor(d.outstandingMemkb / 1024), 5)}`;
  if (o.verbose || o.context) r += ` ${right('-', 16)}`;
  if (o.cpupool) r += right(d.poolName, 16);
  if (o.numa) r += ` ${nodeAffinity}`;
  return r + '\n';
}

export function formatList(domains: DomainInfo[], o: ListOptions): string {
  return formatListHeader(o) + domains.map(d => formatListRow(d, o)).join('');
}

/** `xl vm-list` */
export function formatVmList(domains: DomainInfo[]): string {
  return 'UUID                                  ID    name\n'
    + domains.map(d => `${d.uuid}  ${d.domid}    ${left(d.name ?? '(null)', 30)}\n`).join('');
}

/** `xl sharing`: xenlab shares no pages, so Shared is always 0. */
export function formatSharing(domains: DomainInfo[]): string {
  return 'Name                                        ID   Mem Shared\n' + domains.map(d =>
    `${left(d.name ?? '(null)', 40)} ${right(d.domid, 5)} ${right(Math.floor((d.currentMemkb + d.outstandingMemkb) / 1024), 5)}  ${right(0, 5)}\n`).join('');
}
