// xenstored speed against the real C xenstored (started here on a private socket through the
// cxenstored oracle's shim) and, for pipelining, against a bare Node echo server.
//   node bench/run.mjs xenstored        (XS_BENCH_ITER=5000, XS_BENCH_ROUNDS=5 by default)
// test-xenstore and the daemon it measures run pinned to one CPU (taskset; XS_BENCH_CPU picks
// it, `none` leaves them to the scheduler), the same for both daemons: each request is then a
// context switch on one CPU, and what is compared is the daemons' own work per request, not
// where a 2-vCPU VM happens to wake the daemon, which varies from run to run (unpinned, single
// tests moved by up to 30% between runs here). The echo server is pinned as our daemon is.
// Beside test-xenstore's own averages (wall time per iteration) each test's CPU time per
// iteration is printed too, which waiting for a core on a busy machine does not inflate: the
// daemon's (all its threads, from /proc), and the daemon's plus test-xenstore's (bash's `times`).
// Each is the marginal cost of an iteration: a run of ITER iterations less one of ITER/5, over
// the difference, so that test-xenstore's set-up and clean-up (as costly as thousands of
// iterations) do not dilute the comparison.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { FrameSplitter, encodeMessage } from '../src/formats/xenstore-wire.ts';
import { sized } from './smoke.mjs';

const ITER = Number(process.env.XS_BENCH_ITER ?? sized(5000, 20));
const ROUNDS = Number(process.env.XS_BENCH_ROUNDS ?? sized(5, 1));
const WARMUP = sized(200, 5);
const PIPELINED = sized(200_000, 2_000);
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
const PIN_CPU = process.env.XS_BENCH_CPU === 'none' || !hasTaskset ? null : process.env.XS_BENCH_CPU ?? String(availableParallelism() - 1);
/** [command, args], under `taskset -c PIN_CPU` when pinning. */
const pinned = (cmd, args) => (PIN_CPU === null ? [cmd, args] : ['taskset', ['-c', PIN_CPU, cmd, ...args]]);
const TEST_XENSTORE = '/usr/lib/xen-4.17/bin/test-xenstore';
// shared/ sits beside the clone, on developers' machines and in CI.
const CXS_DIR = new URL('../../shared/tools/cxenstored', import.meta.url).pathname;
const children = [];
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGTERM'); });

const waitSocket = async (path, proc) => {
  // The C daemon gives no readiness signal other than its socket appearing.
  for (let i = 0; i < 200; i++) {
    if (existsSync(path) && statSync(path).isSocket()) return;
    if (proc.exitCode !== null) throw new Error(`daemon exited ${proc.exitCode}`);
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`no socket at ${path}`);
};

/** The real C xenstored without the request trace run.sh enables (it slows the daemon). */
async function startReal() {
  if (!existsSync('/usr/lib/xen-4.17/bin/xenstored')) return { why: 'xen-utils-4.17 xenstored not installed' };
  const so = `/tmp/xs-cxenstored-shim.${process.getuid()}.so`;
  const shim = join(CXS_DIR, 'shim.c');
  if (!existsSync(shim)) return { why: `${shim} missing` };
  if (!existsSync(so) || statSync(so).mtimeMs < statSync(shim).mtimeMs) {
    const cc = spawnSync('gcc', ['-O2', '-shared', '-fPIC', '-o', so, shim, '-ldl'], { encoding: 'utf8' });
    if (cc.status !== 0) return { why: `cannot build the shim: ${cc.error?.message ?? cc.stderr}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cxs-bench-'));
  const socket = join(dir, 'socket');
  const proc = spawn(...pinned('/usr/lib/xen-4.17/bin/xenstored', ['-N', '-I', '-F', join(dir, 'pid')]), {
    env: { ...process.env, XENSTORED_PATH: socket, LD_PRELOAD: so }, stdio: 'ignore',
  });
  children.push(proc);
  await waitSocket(socket, proc);
  return { socket, proc };
}

/** Our xenstored alone, bundled by esbuild as xenlabd is (not through tsx's loader). */
async function startOurs() {
  const dir = mkdtempSync(join(tmpdir(), 'oxs-bench-'));
  const socket = join(dir, 'socket');
  const script = join(dir, 'xenstored.mjs');
  await build({ entryPoints: ['src/dom0/xenstored/standalone.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'warning' });
  // With a journal, as xenlabd runs it: every change is written to the file before its reply.
  const proc = spawn(...pinned(process.execPath, [script, socket, join(dir, 'xenstored.journal')]), { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', c => reject(new Error(`xenstored exited ${c}`)));
  });
  return { socket, proc };
}

/** CPU time (ns) a process has run, all its threads (schedstat's first field). */
function cpuNs(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
  return ns;
}

/** bash's `times`: its children's user and system time, on the second line ("0m0.012s 0m0.004s"). */
function childrenCpuNs(timesOutput) {
  const secs = [...timesOutput.trim().split('\n').at(-1).matchAll(/(\d+)m([\d.]+)s/g)].map(m => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0] + secs[1]) * 1e9;
}

/**
 * One run of test-xenstore against `daemon`: each test's average wall time per iteration (its own
 * figure, ns), and the CPU time (ns) of the whole run: the daemon's, and the daemon's plus the client's.
 */
function testXenstore(daemon, iter = ITER, test) {
  const args = ['-i', String(iter), ...(test ? ['-t', test] : [])];
  const [cmd, argv] = pinned(TEST_XENSTORE, args);
  const d0 = cpuNs(daemon.proc.pid);
  const r = spawnSync('bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bash', cmd, ...argv], { env: { ...process.env, XENSTORED_PATH: daemon.socket }, encoding: 'utf8' });
  const daemonNs = cpuNs(daemon.proc.pid) - d0;
  const avg = new Map();
  for (const m of r.stdout.matchAll(/^(.{10}): avg: (\d+) ns/gm)) avg.set(m[1].trimEnd(), Number(m[2]));
  if (r.status !== 0) throw new Error(`test-xenstore failed: ${r.stdout}${r.stderr}`);
  return { avg, daemonNs, totalNs: daemonNs + childrenCpuNs(r.stderr) };
}

/** test-xenstore's own list of tests (`-l`): "name      : description". */
function testNames() {
  const r = spawnSync(TEST_XENSTORE, ['-l'], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/^(.{10}): /gm)].map(m => m[1].trimEnd());
}

/** Replies per second with `depth` READs in flight on one connection. */
function pipelined(socket, depth = 128, total = PIPELINED) {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    const req = encodeMessage({ type: 2, reqId: 1, txId: 0, payload: Buffer.from('/tool/xenstored\0') });
    const split = new FrameSplitter();
    let sent = 0, got = 0, t0 = 0n;
    const send = n => {
      const k = Math.min(n, total - sent);
      if (k > 0) { s.write(Buffer.concat(Array(k).fill(req))); sent += k; }
    };
    s.on('connect', () => { t0 = process.hrtime.bigint(); send(depth); });
    s.on('data', d => {
      const n = split.push(d).length;
      got += n;
      if (got >= total) { const secs = Number(process.hrtime.bigint() - t0) / 1e9; s.destroy(); resolve(total / secs); }
      else send(n);
    });
    s.on('error', reject);
  });
}

async function startEcho() {
  const socket = join(mkdtempSync(join(tmpdir(), 'echo-bench-')), 'socket');
  const code = `require('net').createServer(c => c.on('data', d => c.write(d))).listen(${JSON.stringify(socket)}, () => console.log('ready'))`;
  const proc = spawn(...pinned(process.execPath, ['-e', code]), { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  await new Promise(resolve => createInterface({ input: proc.stdout }).once('line', resolve));
  return { socket, proc };
}

const ours = await startOurs();
if (!existsSync(TEST_XENSTORE)) console.log(`test-xenstore comparison skipped: ${TEST_XENSTORE} not installed`);
else {
  const real = await startReal();
  if (real.why) console.log(`test-xenstore comparison skipped: real C xenstored unusable: ${real.why}`);
  else {
    // Warm both up (our JIT, their caches). Then each test runs ROUNDS times against each
    // daemon, alternating, and each side keeps its fastest run: on a shared 2-vCPU VM a single
    // run is at the mercy of whatever else is scheduled, and alternating spreads that noise
    // evenly over both daemons.
    testXenstore(real, WARMUP);
    testXenstore(ours, WARMUP);
    const SHORT = Math.max(1, Math.floor(ITER / 5));
    const r = new Map(), o = new Map();
    /** Per side and test: the least CPU (daemon, total) of the long and the short runs. */
    const cpu = { real: new Map(), ours: new Map() };
    const keepMin = (into, from) => { for (const [k, v] of from) into.set(k, Math.min(v, into.get(k) ?? v)); };
    const keepCpu = (side, name, long, short) => {
      const c = side.get(name) ?? { long: { daemonNs: Infinity, totalNs: Infinity }, short: { daemonNs: Infinity, totalNs: Infinity } };
      for (const [k, run] of [['long', long], ['short', short]]) for (const f of ['daemonNs', 'totalNs']) c[k][f] = Math.min(c[k][f], run[f]);
      side.set(name, c);
    };
    /** CPU per iteration (ns): the long run's less the short run's, over the iterations between them. */
    const perIter = (c, f) => (c.long[f] - c.short[f]) / (ITER - SHORT);
    for (const name of testNames()) {
      for (let i = 0; i < ROUNDS; i++) {
        const a = testXenstore(real, ITER, name), b = testXenstore(ours, ITER, name);
        keepMin(r, a.avg); keepMin(o, b.avg);
        keepCpu(cpu.real, name, a, testXenstore(real, SHORT, name));
        keepCpu(cpu.ours, name, b, testXenstore(ours, SHORT, name));
      }
    }
    const where = PIN_CPU === null ? `unpinned${hasTaskset ? '' : ' (no taskset)'}` : `client and daemon on CPU ${PIN_CPU}`;
    const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`test-xenstore -i ${ITER}, ${where}: ns per iteration (fastest of ${ROUNDS} alternating runs), ours / real C xenstored (target <= 1.25); load average ${loadavg}`);
    console.log(`  ${''.padEnd(10)} ${'wall (test-xenstore avg)'.padStart(33)}   ${'CPU, daemon + client'.padStart(33)}   ${'CPU, daemon alone'.padStart(33)}`);
    const worst = { wall: 0, total: 0, daemon: 0 };
    const cell = (rv, ov) => `real ${rv.toFixed(0).padStart(7)} ours ${ov.toFixed(0).padStart(7)} ratio ${(ov / rv).toFixed(2)}`;
    for (const [name, rns] of r) {
      const rc = cpu.real.get(name), oc = cpu.ours.get(name);
      const row = { wall: [rns, o.get(name)], total: [perIter(rc, 'totalNs'), perIter(oc, 'totalNs')], daemon: [perIter(rc, 'daemonNs'), perIter(oc, 'daemonNs')] };
      for (const k of Object.keys(worst)) worst[k] = Math.max(worst[k], row[k][1] / row[k][0]);
      console.log(`  ${name.padEnd(10)} ${cell(...row.wall)}   ${cell(...row.total)}   ${cell(...row.daemon)}`);
    }
    const verdict = x => `${x.toFixed(2)} (${x <= 1.25 ? 'met' : 'NOT met'})`;
    console.log(`  worst ratio, target <= 1.25: wall ${verdict(worst.wall)}; CPU daemon + client ${verdict(worst.total)}; CPU daemon alone ${verdict(worst.daemon)}`);
    real.proc.kill('SIGTERM');
  }
}
const echo = await startEcho();
const echoRate = await pipelined(echo.socket);
const ourRate = await pipelined(ours.socket);
console.log(`pipelined READ, 128 in flight: ours ${Math.round(ourRate)}/s, echo server ${Math.round(echoRate)}/s, ratio ${(ourRate / echoRate).toFixed(2)}  target >= 0.5: ${ourRate / echoRate >= 0.5 ? 'met' : 'NOT met'}`);
echo.proc.kill('SIGTERM');
ours.proc.kill('SIGTERM');
