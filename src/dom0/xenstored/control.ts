// CONTROL (XS_CONTROL) commands of C xenstored 4.17 that make sense without a hypervisor.

import { fail } from './errors.ts';
import { quota } from './quota.ts';
import type { XenstoredCore } from './core.ts';

const QUOTA_LINES: [string, () => number, string][] = [
  ['nodes', () => quota.nodes, 'Nodes per domain'],
  ['watches', () => quota.watches, 'Watches per domain'],
  ['transactions', () => quota.transactions, 'Transactions per domain'],
  ['outstanding', () => quota.outstanding, 'Outstanding requests per domain'],
  ['transaction-nodes', () => quota.transactionNodes, 'Max. number of accessed nodes per transaction'],
  ['memory', () => quota.memory, 'Total Xenstore memory per domain (error level)'],
  ['node-size', () => quota.nodeSize, 'Max. size of a node'],
  ['path-max', () => quota.pathMax, 'Max. length of a node path'],
  ['permissions', () => quota.permissions, 'Max. number of permissions per node'],
];

type Cmd = { name: string; usage: string; run: (core: XenstoredCore, args: string[]) => string };

const commands: Cmd[] = [
  { name: 'check', usage: '', run: () => 'OK' },
  { name: 'log', usage: 'on|off', run: (_c, a) => { if (a[0] !== 'on' && a[0] !== 'off') fail('EINVAL'); return 'OK'; } },
  { name: 'live-update', usage: '[-c <cmdline>] [-F] [-t <timeout>] <file>\n    Default timeout is 60 seconds.', run: () => fail('EINVAL') },
  { name: 'logfile', usage: '<file>', run: (_c, a) => { if (a.length !== 1) fail('EINVAL'); return 'OK'; } },
  { name: 'memreport', usage: '[<file>]', run: () => 'OK' },
  { name: 'print', usage: '<string>', run: (c, a) => { if (a.length !== 1) fail('EINVAL'); c.log(a[0]); return 'OK'; } },
  { name: 'quota', usage: '[set <name> <val>|<domid>]', run: doQuota },
  { name: 'quota-soft', usage: '[set <name> <val>]', run: () => 'Quota settings:\n' },
  { name: 'help', usage: '', run: () => commands.map(c => `${c.name}\t${c.usage}\n`).join('') },
];

function doQuota(core: XenstoredCore, args: string[]): string {
  if (args.length === 0) {
    return 'Quota settings:\n' + QUOTA_LINES.map(([n, v, d]) => `${n.padEnd(17)}: ${String(v()).padStart(8)} ${d}\n`).join('');
  }
  if (args[0] === 'set') {
    if (args.length !== 3) fail('EINVAL');
    const key = ({ nodes: 'nodes', watches: 'watches', transactions: 'transactions', outstanding: 'outstanding',
      'transaction-nodes': 'transactionNodes', memory: 'memory', 'node-size': 'nodeSize', 'path-max': 'pathMax',
      permissions: 'permissions' } as Record<string, keyof typeof quota>)[args[1]];
    const v = Number(args[2]);
    if (!key || !Number.isInteger(v) || v < 0) fail('EINVAL');
    quota[key] = v;
    return 'OK';
  }
  if (args.length !== 1 || !/^\d+$/.test(args[0])) fail('EINVAL');
  const domid = Number(args[0]);
  if (!core.domains.has(domid)) fail('ENOENT');
  let txs = 0;
  for (const c of core.connections) if (c.domid === domid) txs += c.transactions.size;
  const rows: [string, number][] = [
    ['nodes', core.store.ownedBy(domid)], ['watches', core.watchesOfDomain(domid)],
    ['transactions', txs], ['outstanding', 0], ['memory', 0],
  ];
  return `Domain ${domid}:\n` + rows.map(([n, v]) => `${n.padEnd(16)}: ${String(v).padStart(8)}\n`).join('');
}

export function doControl(core: XenstoredCore, args: string[]): string {
  const cmd = commands.find(c => c.name === args[0]);
  if (!cmd) fail('EINVAL');
  return cmd.run(core, args.slice(1));
}
