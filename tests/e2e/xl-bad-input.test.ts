// Bad input through the real binaries against a real daemon (issue 2, acceptance 5): a malformed
// config, an unknown domain and a bad option each give the real message and exit code, and the
// daemon's state does not change (same xl list, same free memory, no domid consumed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

function cfg(name: string, body: string): string {
  const p = join(h.home, `${name}.cfg`);
  writeFileSync(p, body);
  return p;
}

/** What must not change: the domain list and free memory. */
const snapshot = () => ({ list: h.xlOk('list'), free: h.xlOk('info', 'free_memory') });

test('a malformed config: the parser error, exit 1, nothing created', () => {
  h.xlOk('create', cfg('first', 'name = "first"\nkernel = "/boot/vmlinuz"\nmemory = 128\n'));
  const before = snapshot();
  const bad = cfg('bad', 'name = "bad"\nmemory = 128 256\n');
  const r = h.xl('create', bad);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `Parsing config from ${bad}\n${bad}:2: config parsing error near \`256': syntax error, unexpected NUMBER, expecting $end\nFailed to parse config: Invalid argument\n`);
  const noName = h.xl('create', cfg('noname', 'memory = 128\n'));
  assert.deepEqual([noName.status, noName.stderr.split('\n')[1]], [1, 'Domain name must be specified.']);
  const missing = h.xl('create', join(h.home, 'missing.cfg'));
  assert.deepEqual([missing.status, missing.stderr], [3, `Failed to read config file: ${join(h.home, 'missing.cfg')}: No such file or directory\n`]);
  assert.deepEqual(snapshot(), before);
  // no domid was consumed by the failures: the next domain gets the next id
  h.xlOk('create', cfg('second', 'name = "second"\nkernel = "/boot/vmlinuz"\nmemory = 128\n'));
  const ids = parseList(h.xlOk('list')).map(x => x.id);
  assert.deepEqual(ids.slice(-2), [ids.at(-2)!, ids.at(-2)! + 1]);
});

test('an unknown domain: the real message from every command, exit 1, nothing changed', () => {
  const before = snapshot();
  const expectations: [string[], string][] = [
    [['list', 'nosuch'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['list', '999'], "Error: Domain '999' does not exist.\n"],
    [['destroy', 'nosuch'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['pause', 'nosuch'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['shutdown', 'nosuch'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['mem-set', 'nosuch', '128'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['vcpu-set', 'nosuch', '1'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['sched-credit2', '-d', 'nosuch', '-w', '512'], 'nosuch is an invalid domain identifier (rc=-6)\n'],
    [['domid', 'nosuch'], "Can't get domid of domain name 'nosuch', maybe this domain does not exist.\n"],
    [['domname', '999'], "Can't get domain name of domain id '999', maybe this domain does not exist.\n"],
  ];
  for (const [argv, err] of expectations) {
    const r = h.xl(...argv);
    assert.deepEqual([r.status, r.stderr, r.stdout], [1, err, ''], argv.join(' '));
  }
  assert.deepEqual(snapshot(), before);
});

test('a bad option or missing argument: exit 2 before anything reaches the daemon', () => {
  const before = snapshot();
  for (const [argv, err] of [
    [['list', '-x'], "option `x' not supported.\n"],
    [['create', '-z', 'x.cfg'], "option `z' not supported.\n"],
    [['sched-credit2', '-d'], "option `d' not supported.\n"],
    [['mem-set', 'first'], "'xl mem-set' requires at least 2 arguments.\n\n"],
  ] as [string[], string][]) {
    const r = h.xl(...argv);
    assert.deepEqual([r.status, r.stderr], [2, err], argv.join(' '));
  }
  const glob = h.xl('-x', 'list');
  assert.equal(glob.status, 1);
  assert.deepEqual(snapshot(), before);
});

test('out-of-range scheduler and memory values are refused with libxl\'s words', () => {
  const before = snapshot();
  const w = h.xl('sched-credit2', '-d', 'first', '-w', '0');
  assert.equal(w.status, 1);
  assert.match(w.stderr, /Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed.\n$/);
  // first has one vCPU: a cap past 100 is refused by libxl (the toolstack).
  const c = h.xl('sched-credit2', '-d', 'first', '-c', '150');
  assert.deepEqual([c.status, c.stderr], [1, 'libxl: error: libxl_sched.c:455:sched_credit2_domain_set: Domain 1:Cpu cap out of range, valid range is from 0 to 100 for specified number of vcpus\nlibxl_domain_sched_params_set failed.\n']);
  const rl = h.xl('sched-credit2', '-s', '-r', '50');
  assert.deepEqual([rl.status, rl.stderr], [1, 'libxl: error: libxl_sched.c:270:sched_ratelimit_check: Ratelimit out of range, valid range is from 100 to 500000\nlibxl_sched_credit2_params_set failed.\n']);
  const m = h.xl('mem-set', 'first', '1.5g');
  assert.deepEqual([m.status, m.stderr], [1, 'invalid memory size: 1.5g\n']);
  assert.deepEqual(snapshot(), before);
  assert.equal(h.xlOk('sched-credit2', '-d', 'first'), 'Name                                ID Weight  Cap\nfirst                                1    256    0\n');
  assert.equal(h.xlOk('sched-credit2', '-s'), 'Cpupool Pool-0: ratelimit=1000us\n');
});
