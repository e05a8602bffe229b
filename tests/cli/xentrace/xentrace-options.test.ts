// xentrace's options from the command line against a real xenlabd on the virtual clock (issue 5,
// acceptance 3): -e and -c masks, -D, -x, -X, -T, -M, and the usage/version/argument errors of
// Xen 4.17's tool. Masks persist in the hypervisor between runs, as in Xen, so tests set them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, TestHost } from '../../helpers/host.ts';
import { daemonRequest, guestConfig, recordsOf, startXentrace, traceFile, traceStatus, windowsOf } from './xentrace-run.ts';

let h: TestHost;
let khz = 0;
before(async () => {
  h = new TestHost().start();
  for (const g of ['b1', 'b2']) {
    writeFileSync(join(h.home, `${g}.cfg`), guestConfig(g));
    h.xlOk('create', join(h.home, `${g}.cfg`));
  }
  h.advance('2s');
  khz = (await daemonRequest(h, 'host.info', {})).cpuKhz;
});
after(() => h.stop());

const nowNs = async (): Promise<bigint> => BigInt((await daemonRequest(h, 'clock.get', {})).nowNs);
const tscOf = (ns: bigint): bigint => (ns * BigInt(khz)) / 1_000_000n;
const tscs = (path: string): bigint[] => recordsOf(path).flatMap(r => (r.tsc === undefined ? [] : [r.tsc]));

/** Run xentrace with -T for `seconds` and advance the clock by `advance`; it must stop by itself. */
async function timed(args: string[], seconds: number, advance = `${seconds}s`) {
  const start = await nowNs();
  const x = await startXentrace(h, ['-T', String(seconds), ...args]);
  h.advance(advance);
  const r = await x.exited;
  return { ...r, start };
}

test('-V prints the version; -? and --help print the usage on stdout and exit 1', () => {
  const v = h.run('xentrace', ['-V']);
  assert.deepEqual([v.status, v.stdout], [0, 'xentrace v1.2\n']);
  for (const a of [['-?'], ['--help'], [], ['a', 'b'], ['-t', '5', 'f']]) {
    const r = h.run('xentrace', a);
    assert.equal(r.status, 1, a.join(' '));
    assert.match(r.stdout, /^Usage: xentrace \[OPTION\.\.\.\] \[output file\]\n/);
    assert.match(r.stdout, /Report bugs to <mark\.a\.williamson@intel\.com>\n$/);
  }
});

test('bad option arguments: the messages of argtol, sargtol and getopt', () => {
  const s = h.run('xentrace', ['-s', '10ms', 'f']);
  assert.equal(s.status, 1);
  assert.equal(s.stderr, 'Invalid option argument: 10ms\n\n');
  const m = h.run('xentrace', ['-M', '10x', 'f']);
  assert.deepEqual([m.status, m.stderr, m.stdout], [1, 'Unknown suffix x\n', '']);
  const q = h.run('xentrace', ['-q', 'f']);
  assert.equal(q.status, 1);
  assert.equal(q.stderr, `${join(BIN, 'xentrace')}: invalid option -- 'q'\n`); // argv[0]: run by its absolute path
});

test('-e sched records the scheduler class only; -e with a number replaces the mask', async () => {
  const f = traceFile(h, 'sched.bin');
  const r = await timed(['-e', 'sched', '-c', 'all', f], 1);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^change evtmask to 0x2f000\n/);
  const evs = new Set(recordsOf(f).map(x => x.event));
  assert.ok(evs.size > 5);
  for (const e of evs) assert.equal(e & 0x0fff0000, 0x00020000, `event ${e.toString(16)}`);

  // Domain operations only: a create in the window is the one record.
  const g = traceFile(h, 'dom0op.bin');
  const x = await startXentrace(h, ['-e', '0x0004f000', '-T', '1', g]);
  writeFileSync(join(h.home, 'b3.cfg'), guestConfig('b3', 'vcpus = 1\n'));
  h.xlOk('create', join(h.home, 'b3.cfg'));
  const domid = Number(h.xlOk('domid', 'b3').trim());
  h.advance('1s');
  const rx = await x.exited;
  assert.match(rx.stderr, /^change evtmask to 0x4f000\n/);
  assert.deepEqual(recordsOf(g).map(y => [y.event, y.data]), [[0x00041001, [domid]]]);
  h.xlOk('destroy', 'b3');
});

test('-c with a CPU list, a hex mask, and the errors of a bad list', async () => {
  const f = traceFile(h, 'cpus.bin');
  const r = await timed(['-e', 'all', '-c', '1,3', f], 1);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'change evtmask to 0xffff000\nchange cpumask to 0xa\n');
  assert.deepEqual([...new Set(windowsOf(f).map(w => w.cpu))].sort(), [1, 3]);

  const g = traceFile(h, 'hex.bin');
  const rh = await timed(['-c', '0x5', g], 1);
  assert.equal(rh.stderr, 'change cpumask to 0x5\n');
  assert.deepEqual([...new Set(windowsOf(g).map(w => w.cpu))].sort(), [0, 2]);

  const high = h.run('xentrace', ['-c', '0-8', traceFile(h, 'no.bin')]);
  assert.deepEqual([high.status, high.stderr], [1, 'Specified higher value then there are CPUS!\n']);
  const order = h.run('xentrace', ['-c', '3-1', traceFile(h, 'no.bin')]);
  assert.deepEqual([order.status, order.stderr], [1, 'Wrong order of 3 and 1\n']);
  const chr = h.run('xentrace', ['-c', '1,a', traceFile(h, 'no.bin')]);
  assert.deepEqual([chr.status, chr.stderr], [1, 'Invalid character in cpumask: 1,a\n']);
  // "3-" runs to the last CPU.
  const tail = await timed(['-c', '6-', traceFile(h, 'tail.bin')], 1);
  assert.equal(tail.stderr, 'change cpumask to 0xc0\n');
  await timed(['-c', 'all', traceFile(h, 'all.bin')], 1);
});

test('-T stops after that many simulated seconds, with a last read', async () => {
  const f = traceFile(h, 't.bin');
  const r = await timed(['-e', 'all', '-c', 'all', f], 2, '5s');
  assert.equal(r.code, 0, r.stderr);
  const t = tscs(f);
  const max = t.reduce((a, b) => (a > b ? a : b));
  const min = t.reduce((a, b) => (a < b ? a : b));
  assert.ok(max <= tscOf(r.start + 2_000_000_000n), 'nothing after the alarm');
  assert.ok(max >= tscOf(r.start + 1_950_000_000n), 'the last stretch is there');
  assert.ok(min >= tscOf(r.start));
});

test('-x leaves tracing on; records made meanwhile are read by the next run unless -D discards them', async () => {
  const a = await timed(['-x', traceFile(h, 'x1.bin')], 1);
  assert.equal(a.code, 0, a.stderr);
  assert.equal((await traceStatus(h)).enabled, true);
  h.advance('300ms');
  const b = await timed(['-x', traceFile(h, 'x2.bin')], 1);
  assert.ok(tscs(traceFile(h, 'x2.bin')).some(t => t < tscOf(b.start)), 'records from before the run');
  h.advance('300ms');
  const c = await timed(['-D', traceFile(h, 'd.bin')], 1);
  assert.equal(c.code, 0, c.stderr);
  const t = tscs(traceFile(h, 'd.bin'));
  assert.ok(t.length > 100 && t.every(x => x >= tscOf(c.start)), 'old records discarded');
  assert.equal((await traceStatus(h)).enabled, false, 'disabled at exit by default');
});

test('-X sets up the buffers without enabling tracing', async () => {
  const f = traceFile(h, 'off.bin');
  const r = await timed(['-X', f], 1);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(f).size, 0);
  assert.equal((await traceStatus(h)).enabled, false);
});

test('-M keeps the latest windows in a memory buffer and dumps them at exit', async () => {
  const f = traceFile(h, 'mem.bin');
  const r = await timed(['-M', '64k', f], 2);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Dumping memory buffer\.\n$/);
  const size = statSync(f).size;
  // Whole windows are dropped, then more until the buffer restarts at a low CPU.
  assert.ok(size > 8 * 1024 && size <= 64 * 1024, `size ${size}`);
  const w = windowsOf(f);
  assert.ok(w.every(x => !x.truncated));
  const t = tscs(f);
  assert.ok(t.every(x => x > tscOf(r.start + 1_000_000_000n)), 'the oldest windows were dropped');
  assert.ok(t.some(x => x >= tscOf(r.start + 1_950_000_000n)), 'the newest are kept');
});

test('writes to standard output when it is not a TTY: /dev/stdout into a pipe, - into anything', async () => {
  const runs: [string, () => ChildProcess][] = [
    ['/dev/stdout', () => spawn('sh', ['-c', `"${process.execPath}" "${join(BIN, 'xentrace')}" -T 1 /dev/stdout | wc -c`], { env: h.env })],
    ['-', () => h.spawn('xentrace', ['-T', '1', '-'])],
  ];
  for (const [out, run] of runs) {
    const x = await startXentrace(h, [], run);
    let bytes = 0, count = '';
    x.proc.stdout!.on('data', (d: Buffer) => { bytes += d.length; count += d; });
    h.advance('1s');
    const r = await x.exited;
    assert.equal(r.code, 0, `${out}: ${r.stderr}`);
    const n = out === '-' ? bytes : Number(count.trim());
    assert.ok(n > 10_000, `${out}: ${n} bytes`);
  }
});

test('refuses a terminal as output', async () => {
  const pty = (await import('node-pty')) as unknown as typeof import('node-pty');
  const p = pty.spawn(process.execPath, [join(BIN, 'xentrace'), '/dev/stdout'], { env: h.env as Record<string, string>, cols: 80, rows: 24 });
  let out = '';
  p.onData(d => { out += d; });
  const code = await new Promise<number>(r => p.onExit(e => r(e.exitCode)));
  assert.equal(code, 1);
  assert.match(out, /Cannot output to a TTY, specify a log file\./);
});

test('-r stops before a write that would leave less than the reserve free', async () => {
  const f = traceFile(h, 'reserve.bin');
  const x = await startXentrace(h, ['-r', '1000000000', '-x', f]);
  h.advance('200ms');
  const r = await x.exited;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Disk space limit reached \(free space: \d+MB, limit: 1000000000MB\)\.\n$/m);
  assert.equal(statSync(f).size, 0);
  await daemonRequest(h, 'trace.disable', {});
});

test('ballooning down is traced as decrease_reservation extents (memory class)', async () => {
  const f = traceFile(h, 'mem-class.bin');
  const domid = Number(h.xlOk('domid', 'b1').trim());
  const before = await daemonRequest(h, 'domain.list', { doms: ['b1'] });
  const x = await startXentrace(h, ['-e', '0x0010f000', '-c', 'all', '-T', '2', f]);
  h.xlOk('mem-set', 'b1', '128m');
  h.advance('2s');
  assert.equal((await x.exited).code, 0);
  const after = await daemonRequest(h, 'domain.list', { doms: ['b1'] });
  const released = (before[0]!.currentMemkb - after[0]!.currentMemkb) / 4;
  // The ring's own wrap fillers aside, only decrease_reservation records.
  const recs = recordsOf(f).filter(r => r.event !== 0x0001f002);
  assert.ok(recs.length > 0 && recs.every(r => r.event === 0x0010f005));
  // {u64 gfn; int d:16, order:16}
  assert.ok(recs.every(r => r.data.length === 3 && (r.data[2]! & 0xffff) === domid));
  assert.equal(recs.reduce((n, r) => n + (1 << (r.data[2]! >>> 16)), 0), released);
  assert.ok(released >= 32768);
});
