// xl info, uptime, sched-credit2 and cpupool-list printers against the formats of xl_info.c,
// xl_sched.c and xl_cpupool.c (reference xl.md §2.3, §2.6, §2.7, §2.8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInfo } from '../../../src/cli/xl/printers/info.ts';
import { formatUptime, formatUptimeRow, formatUptimeShort, UPTIME_HEADER } from '../../../src/cli/xl/printers/uptime.ts';
import { CREDIT2_HEADER, formatCpupoolList, formatCredit2PoolLine, formatCredit2Row } from '../../../src/cli/xl/printers/sched.ts';
import type { HostInfo } from '../../../src/protocol/host.ts';

const host: HostInfo = {
  host: 'vm', release: '6.1.0-xx-amd64', version: '#1 SMP', machine: 'x86_64', nrCpus: 8, maxCpuId: 7, nrNodes: 1,
  coresPerSocket: 4, threadsPerCore: 2, cpuKhz: 2394000, totalPages: 16384 * 256, freePages: 8192 * 256 + 100,
  outstandingPages: 0, freeCpus: 0, xenMajor: 4, xenMinor: 17, xenExtra: '.7',
  xenCommandline: 'placeholder dom0_mem=2048M,max:2048M', scheduler: 'credit2',
  cpuTopology: Array.from({ length: 8 }, (_, i) => ({ core: i >> 1, socket: 0, node: 0 })),
  numa: [{ memsizeMiB: 16384, memfreeMiB: 8192, distances: [10] }], clockMode: 'virtual', nowNs: '0', wallMs: 0,
};

test('xl info: 23-column names, MiB from pages, cpu_mhz as %d.%03d', () => {
  const t = formatInfo(host);
  const lines = t.split('\n');
  assert.equal(lines[0], 'host                   : vm');
  assert.ok(t.includes('\ncpu_mhz                : 2394.000\n'));
  assert.ok(t.includes('\ntotal_memory           : 16384\n'));
  assert.ok(t.includes('\nfree_memory            : 8192\n'));
  assert.ok(t.includes('\nxen_version            : 4.17.7\n'));
  assert.ok(t.includes('\nxen_changeset          : \n'));
  assert.equal(lines.at(-2), 'xend_config_format     : 4');
  const names = lines.filter(Boolean).map(l => l.slice(0, 23).trimEnd());
  assert.deepEqual(names.slice(0, 21), ['host', 'release', 'version', 'machine', 'nr_cpus', 'max_cpu_id', 'nr_nodes',
    'cores_per_socket', 'threads_per_core', 'cpu_mhz', 'hw_caps', 'virt_caps', 'total_memory', 'free_memory',
    'sharing_freed_memory', 'sharing_used_memory', 'outstanding_claims', 'free_cpus', 'xen_major', 'xen_minor', 'xen_extra']);
  assert.equal(formatInfo({ ...host, cpuKhz: 2000050 }).match(/cpu_mhz +: (.*)/)![1], '2000.050');
});

test('xl info <prefix> prints only the values of matching lines', () => {
  assert.equal(formatInfo(host, { field: 'free_memory' }), '8192\n');
  assert.equal(formatInfo(host, { field: 'xen_v' }), '4.17.7\n');
  assert.equal(formatInfo(host, { field: 'free' }), '8192\n0\n');
  assert.equal(formatInfo(host, { field: 'nothing' }), '');
});

test('xl info -n inserts the topology and NUMA tables after free_cpus', () => {
  const t = formatInfo(host, { numa: true });
  assert.ok(t.includes('free_cpus              : 0\ncpu_topology           :\ncpu:    core    socket     node\n  0:       0        0        0\n'));
  assert.ok(t.includes('device topology        :\ndevice           node\nNo device topology data available\n'));
  assert.ok(t.includes('numa_info              :\nnode:    memsize    memfree    distances\n'
    // "%4d:    %6lu     %6lu      %d"
    + '   0:' + '    ' + ' 16384' + '     ' + '  8192' + '      ' + '10\nxen_major'));
});

test('uptime strings, long and short', () => {
  assert.equal(formatUptime(3 * 86400 + 4 * 3600 + 5 * 60 + 6, false), '3 days,  4:05:06');
  assert.equal(formatUptime(86400 + 2 * 3600 + 3 * 60, false), '1 day,  2:03:00');
  assert.equal(formatUptime(12 * 60 + 3, false), ' 0:12:03');
  assert.equal(formatUptime(86400 + 2 * 3600 + 3 * 60, true), '1 day,  2:03');
  // printf("%-33s %4s %s\n") and "%-33s %4d %s\n"
  assert.equal(UPTIME_HEADER, 'Name' + ' '.repeat(32) + 'ID Uptime\n');
  assert.equal(formatUptimeRow('web01', 1, 723), 'web01' + ' '.repeat(32) + '1  0:12:03\n');
  assert.equal(formatUptimeShort(new Date(2026, 0, 1, 14, 2, 11), 'web01', 1, 86400 + 2 * 3600 + 3 * 60),
    ' 14:02:11 up 1 day,  2:03, web01 (1)\n');
});

test('sched-credit2 and cpupool-list rows', () => {
  assert.equal(formatCredit2PoolLine('Pool-0', 1000), 'Cpupool Pool-0: ratelimit=1000us\n');
  assert.equal(CREDIT2_HEADER + formatCredit2Row({ domid: 0, name: 'Domain-0', weight: 256, cap: 0, poolName: 'Pool-0' }),
    'Name                                ID Weight  Cap\nDomain-0                             0    256    0\n');
  const pools = [{ poolid: 0, name: 'Pool-0', sched: 'credit2', cpus: [0, 1, 2, 3, 4, 5, 6, 7], nDomains: 3, ratelimitUs: 1000 }];
  assert.equal(formatCpupoolList(pools, false), 'Name               CPUs   Sched     Active   Domain count\nPool-0               8   credit2       y          3\n');
  assert.equal(formatCpupoolList(pools, true), 'Name               CPU list\nPool-0             0,1,2,3,4,5,6,7\n');
});
