// xentop -b against a real xenlabd on the virtual clock: one table per simulated delay, every
// line in the real printf formats, and CPU(%) matching the scheduler's CPU time (issue 4,
// acceptance 1–2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TestHost } from '../helpers/host.ts';
import { vcpuSeconds } from '../helpers/xl-parse.ts';
import { parseBatch, type Row } from '../cli/xentop/row-format.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const cfg = (name: string, body = ''): string => h.guestConfig(name, body);

/**
 * Runs xentop in the background and advances the clock one delay at a time, each time only after
 * the previous table has arrived (so no step is lost); returns all output and the exit code.
 */
async function xentop(args: string[], tables: number, delay: string, onTable: () => void = () => {}): Promise<{ out: string; code: number | null }> {
  const p = h.spawn('xentop', args);
  let out = '', err = '';
  p.stderr.on('data', d => { err += d; });
  // Every table has exactly one Domain-0 row, whatever the options.
  const headers = () => (out.match(/^ *Domain-0 /gm) ?? []).length;
  const exited = new Promise<number | null>(r => p.on('close', c => r(c)));
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    p.stdout.on('data', d => {
      out += d;
      if (headers() > seen) {
        seen = headers();
        onTable();
        if (seen >= tables) resolve(); else h.advance(delay);
      }
    });
    p.on('close', () => (seen >= tables ? resolve() : reject(new Error(`xentop exited early: ${err}`))));
  });
  return { out, code: await exited };
}

const cpuSeconds = (name: string): number => vcpuSeconds(h.xlOk('vcpu-list', name));

const rowsOf = (out: string) => parseBatch(out).flatMap(l => (l.kind === 'row' ? [l.row] : []));

test('xentop -b -i 3 -d 10: three tables in the real formats; a CPU-bound 2-vCPU guest shows about 200.0', async () => {
  h.xlOk('create', cfg('busy2', 'vcpus = 2\nworkload = "cpu=100"'));
  h.advance('5s'); // boot
  const xlCpu: Record<string, number>[] = [];
  const { out, code } = await xentop(['-b', '-i', '3', '-d', '10'], 3, '10s', () => xlCpu.push({ busy2: cpuSeconds('busy2') }));
  assert.equal(code, 0);
  const lines = parseBatch(out);
  assert.equal(lines.filter(l => l.kind === 'header').length, 3);
  const rows = rowsOf(out);
  assert.equal(rows.length, 6);
  // Sorted by name, case-insensitively; the first table has no CPU(%) yet.
  assert.deepEqual(rows.slice(0, 2).map(r => r.name), ['busy2', 'Domain-0']);
  assert.ok(rows.slice(0, 2).every(r => r.cpuPct === 0));
  const last = (name: string): Row => rows.filter(r => r.name === name).at(-1)!;
  assert.ok(Math.abs(last('busy2').cpuPct - 200) <= 2, `busy2 ${last('busy2').cpuPct}`);
  // CPU(%) over the last 10 s is what the scheduler gave the domain in it (xl vcpu-list prints
  // tenths of a second: 1 % of 10 s).
  const pct = (xlCpu[2]!.busy2! - xlCpu[1]!.busy2!) * 10;
  assert.ok(Math.abs(last('busy2').cpuPct - pct) <= 1.05, `xentop ${last('busy2').cpuPct}, xl ${pct}`);
  assert.equal(last('Domain-0').maxMemKb, null);
  assert.equal(last('busy2').state.length, 6);
  assert.equal(last('busy2').vcpus, 2);
  h.xlOk('destroy', 'busy2');
});

test('weights 256 and 512 pinned to one pCPU show CPU(%) near 33.3 and 66.7', async () => {
  // Alone in their runqueue: another CPU-bound vCPU there would trigger credit resets every few
  // ms, which (as in credit2 itself) evens out the shares of the two.
  h.xlOk('create', cfg('w256', 'vcpus = 1\ncpus = "6"\ncpu_weight = 256\nworkload = "cpu=100"'));
  h.xlOk('create', cfg('w512', 'vcpus = 1\ncpus = "6"\ncpu_weight = 512\nworkload = "cpu=100"'));
  h.advance('5s');
  const { out, code } = await xentop(['-b', '-i', '2', '-d', '10'], 2, '10s', () => {});
  assert.equal(code, 0);
  const rows = rowsOf(out);
  const last = (name: string): Row => rows.filter(r => r.name === name).at(-1)!;
  assert.ok(Math.abs(last('w256').cpuPct - 33.3) <= 1.5, `w256 ${last('w256').cpuPct}`);
  assert.ok(Math.abs(last('w512').cpuPct - 66.7) <= 1.5, `w512 ${last('w512').cpuPct}`);
  assert.ok(Math.abs(last('w256').cpuPct + last('w512').cpuPct - 100) <= 0.2);
  h.xlOk('destroy', 'w256');
  h.xlOk('destroy', 'w512');
});

test('NETRX follows netback (limited by the vif rate) and VBD_WR/WSECT follow blkback writing the image', async () => {
  const img = join(h.home, 'io.img');
  const fd = openSync(img, 'w'); ftruncateSync(fd, 256 * 2 ** 20); closeSync(fd);
  h.xlOk('create', cfg('io', `vif = [ 'bridge=xenbr0, rate=1Mb/s' ]\ndisk = [ 'format=raw, vdev=xvda, access=rw, target=${img}' ]\nworkload = "net-tx=10M,disk-write=1M"`));
  h.advance('5s');
  const allocated0 = statSync(img).blocks * 512;
  const { out } = await xentop(['-b', '-i', '2', '-d', '10', '-n', '-x'], 2, '10s');
  const io = rowsOf(out).filter(r => r.name === 'io');
  // What the guest sends is what dom0's vif receives: NETRX, about 1 Mb/s = 122 KiB/s.
  const rxRate = (io[1].netRxK - io[0].netRxK) / 10;
  assert.ok(Math.abs(rxRate - 1e6 / 8 / 1024) < 8, `NETRX grew ${rxRate} KiB/s`);
  assert.ok(io[1].netTxK - io[0].netTxK < rxRate * 10);
  // 1 MB/s of writes: 2048 sectors a second.
  const wsect = (io[1].vbdWsect - io[0].vbdWsect) / 10;
  assert.ok(Math.abs(wsect - 1e6 / 512) < 100, `WSECT grew ${wsect}/s`);
  assert.ok(io[1].vbdWr > io[0].vbdWr);
  assert.ok(statSync(img).blocks * 512 > allocated0, 'the image file got more blocks');
  assert.ok(parseBatch(out).some(l => l.kind === 'net') && parseBatch(out).some(l => l.kind === 'vbd'));
  h.xlOk('destroy', 'io');
});

test('-n -x -v -r -f lines in the real formats against the daemon', async () => {
  const { out, code } = await xentop(['-b', '-i', '2', '-d', '2', '-n', '-x', '-v', '-r', '-f'], 2, '2s');
  assert.equal(code, 0);
  const lines = parseBatch(out);
  const rows = lines.filter(l => l.kind === 'row').length;
  assert.equal(lines.filter(l => l.kind === 'header').length, rows);
  assert.equal(lines.filter(l => l.kind === 'vcpus').length >= rows, true);
});

test('-h, -V and a bad option behave as the real xentop', () => {
  const help = h.run('xentop', ['-h']);
  assert.equal(help.status, 0);
  assert.ok(help.stdout.startsWith(`Usage: ${join(BIN, 'xentop')} [OPTION]\n`));
  assert.equal(h.run('xentop', ['--version']).stdout.split('\n')[0], 'xentop 1.0');
  // Run by its absolute path, it names itself so, as C's argv[0] would.
  const bad = h.run('xentop', ['-q']);
  assert.equal(bad.status, 0);
  assert.equal(bad.stderr, `${join(BIN, 'xentop')}: invalid option -- 'q'\n`);
  assert.ok(bad.stdout.startsWith(`Usage: ${join(BIN, 'xentop')} [OPTION]\n`));
});
