// CONTROL (XS_CONTROL) commands of C xenstored 4.17 that make sense without a hypervisor.

import { atoi } from '../../formats/libc/strtol.ts';
import { fail } from './errors.ts';
import { quota } from './quota.ts';
import type { XenstoredCore } from './core.ts';
import type { Connection } from './connection.ts';

type QuotaKey = keyof typeof quota;

/** The quotas CONTROL shows and sets, in C xenstored's order and words. */
const HARD_QUOTAS: [name: string, key: QuotaKey, descr: string][] = [
  ['nodes', 'nodes', 'Nodes per domain'],
  ['watches', 'watches', 'Watches per domain'],
  ['transactions', 'transactions', 'Transactions per domain'],
  ['outstanding', 'outstanding', 'Outstanding requests per domain'],
  ['transaction-nodes', 'transactionNodes', 'Max. number of accessed nodes per transaction'],
  ['memory', 'memory', 'Total Xenstore memory per domain (error level)'],
  ['node-size', 'nodeSize', 'Max. size of a node'],
  ['path-max', 'pathMax', 'Max. length of a node path'],
  ['permissions', 'permissions', 'Max. number of permissions per node'],
];
const SOFT_QUOTAS: typeof HARD_QUOTAS = [
  ['memory', 'memorySoft', 'Total Xenstore memory per domain (warning level)'],
];

type Cmd = { name: string; usage: string; run: (core: XenstoredCore, args: string[], conn: Connection, reqId: number) => string | null };

/** A command that takes exactly `n` arguments. */
function takes(n: number, args: string[]): void { if (args.length !== n) fail('EINVAL'); }

const commands: Cmd[] = [
  { name: 'check', usage: '', run: (_c, a) => { takes(0, a); return 'OK'; } },
  { name: 'log', usage: 'on|off', run: (_c, a) => { takes(1, a); if (a[0] !== 'on' && a[0] !== 'off') fail('EINVAL'); return 'OK'; } },
  // At most 5 strings reach it, the command's name included, as C's max_pars cuts them.
  { name: 'live-update', usage: '[-c <cmdline>] [-F] [-t <timeout>] <file>\n    Default timeout is 60 seconds.', run: (c, a, conn, reqId) => c.liveUpdate.command(conn, a.slice(0, 4), reqId) },
  // The log and the memory report stay with the daemon's own log: nothing is written elsewhere.
  { name: 'logfile', usage: '<file>', run: (_c, a) => { takes(1, a); return 'OK'; } },
  { name: 'memreport', usage: '[<file>]', run: (_c, a) => { if (a.length > 1) fail('EINVAL'); return 'OK'; } },
  { name: 'print', usage: '<string>', run: (c, a) => { takes(1, a); c.log(`control: ${a[0]}`); return 'OK'; } },
  { name: 'quota', usage: '[set <name> <val>|<domid>]', run: (c, a) => quotaCommand(c, a, HARD_QUOTAS) },
  { name: 'quota-soft', usage: '[set <name> <val>]', run: (c, a) => quotaCommand(c, a, SOFT_QUOTAS) },
  { name: 'help', usage: '', run: (_c, a) => { takes(0, a); return commands.map(c => `${c.name}\t${c.usage}\n`).join(''); } },
];

function quotaCommand(core: XenstoredCore, args: string[], table: typeof HARD_QUOTAS): string {
  if (args.length === 0) {
    return 'Quota settings:\n' + table.map(([n, k, d]) => `${n.padEnd(17)}: ${String(quota[k]).padStart(8)} ${d}\n`).join('');
  }
  if (args[0] === 'set') {
    takes(3, args);
    const v = atoi(args[2]);
    const row = table.find(([n]) => n === args[1]);
    if (v < 1 || !row) fail('EINVAL');
    quota[row[1]] = v;
    return 'OK';
  }
  if (table === SOFT_QUOTAS) fail('EINVAL');
  takes(1, args);
  return domainQuota(core, atoi(args[0]) >>> 0);
}

/** A domain's use: its own (ring) connection's watches and transactions; nodes and memory. */
function domainQuota(core: XenstoredCore, domid: number): string {
  if (!core.accounted.has(domid)) fail('ENOENT');
  let txs = 0;
  for (const c of core.connections) if (c.domid === domid && !c.isSocket) txs += c.transactions.size;
  const rows: [string, number][] = [
    ['nodes', core.store.ownedBy(domid)], ['watches', core.watchesOfDomain(domid)],
    // Requests are answered as they are read: what is outstanding is replies waiting for room in the domain's page.
    ['transactions', txs], ['outstanding', core.rings?.queued(domid) ?? 0], ['memory', core.memoryOf(domid)],
  ];
  return `Domain ${domid}:\n` + rows.map(([n, v]) => `${n.padEnd(16)}: ${String(v).padStart(8)}\n`).join('');
}

/** The command's reply; null when it comes later (a live update's start). */
export function doControl(core: XenstoredCore, conn: Connection, args: string[], reqId: number): string | null {
  const cmd = commands.find(c => c.name === args[0]);
  if (!cmd) fail('EINVAL');
  return cmd.run(core, args.slice(1), conn, reqId);
}
