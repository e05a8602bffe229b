// 10,000 small guests on a 64-pCPU host with the real clock (issue 13, acceptance 6): what
// creating them takes, what each costs the daemon in memory, and whether the daemon keeps pace
// with the real clock, with the guests idle and again each running `cpu=5`.
//   node bench/run.mjs scale              (SCALE_GUESTS=10000, SCALE_WINDOW_S=10 by default)
// Baselines from the same run: an empty host (the same daemon before its first guest) for RSS
// and CPU, and `xl create` run one process per guest for a few guests, for the creation path.
// The guests are created as `xl create` creates them — the same config text through xl's own
// parser (configFromText), the same `domain.create` request, the same daemon path — but from
// one client over one control connection with DEPTH requests in flight, so the figure is the
// daemon's creation work and not the start-up of 10,000 Node processes. DEPTH is small: xl
// creates one domain at a time (its lock, acquire_lock in create_domain), and libxl's
// transactions that each add a child to /local/domain conflict and retry (EAGAIN) when many run
// at once, on C xenstored as here: 64 in flight made 1,000 creations 3-5x slower than 4.
// Every wall-clock figure has its CPU counterpart beside it (the daemon's CPU time from /proc,
// this client's from process.cpuUsage), which a machine whose cores are shared does not inflate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '../src/client/connection.ts';
import { hostPaths } from '../src/protocol/paths.ts';
import { configFromText } from '../src/formats/domain-config/from-text.ts';
import { sized } from './smoke.mjs';
import { loadAverage, paceOnOwnCore, untilCaughtUp } from './pace.mjs';

const N = Number(process.env.SCALE_GUESTS ?? sized(10_000, 20));
const WINDOW_S = Number(process.env.SCALE_WINDOW_S ?? sized(10, 1));
const XL_SAMPLE = sized(10, 2);
const DEPTH = 4;
const MEMORY_MIB = 64;
const CPUS = 64;
/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
const sleep = ms => new Promise(r => setTimeout(r, ms));

const guestText = (name, workload) => `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = ${MEMORY_MIB}\nvcpus = 1\n` +
  (workload ? `workload = "${workload}"\n` : '');

/** A fresh host: its own XENLAB_HOME, 64 pCPUs, enough RAM for every guest, the real clock. */
async function startHost() {
  const home = mkdtempSync(join(tmpdir(), 'xsc-'));
  const env = { ...process.env, XENLAB_HOME: home, XENLAB_NO_AUTOSTART: '1' };
  const memG = Math.ceil((N * MEMORY_MIB) / 1024) + 64;
  const r = spawnSync(process.execPath, ['dist/xenlabd.js', 'start', '--cpus', String(CPUS), '--memory', `${memG}G`, '--clock', 'real'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xenlabd start failed: ${r.stderr}${r.stdout}`);
  const bootMs = performance.now();
  const pid = Number(readFileSync(join(home, 'xenlabd.pid'), 'utf8').trim());
  const conn = await Connection.open(hostPaths(home).control);
  const host = (await conn.request('host.info', {}));
  const topology = { nrCpus: host.nrCpus, nodeCpus: Array.from({ length: Math.max(1, host.nrNodes) }, (_, n) => host.cpuTopology.flatMap((c, cpu) => (c.node === n ? [cpu] : []))) };
  return {
    home, env, pid, conn, topology, bootMs,
    stop() { conn.close(); spawnSync(process.execPath, ['dist/xenlabd.js', 'stop'], { env }); rmSync(home, { recursive: true, force: true }); },
  };
}

const rssMiB = pid => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const cpuMs = pid => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' '); return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ; };

/** Watch the host for WINDOW_S real seconds: simulated/real time and the daemon's CPU per simulated second. */
async function watch(h) {
  const c0 = await h.conn.request('clock.get', {}); const w0 = performance.now(); const u0 = cpuMs(h.pid);
  await sleep(WINDOW_S * 1000);
  const c1 = await h.conn.request('clock.get', {}); const w1 = performance.now(); const u1 = cpuMs(h.pid);
  const simS = (Number(c1.nowNs) - Number(c0.nowNs)) / 1e9, realS = (w1 - w0) / 1000;
  return { ratio: simS / realS, cpuMsPerSimS: (u1 - u0) / simS, corePct: (100 * (u1 - u0)) / (realS * 1000) };
}

/** Create N guests over one connection, DEPTH at a time; the wall time it took and the CPU time of the daemon and of this client. */
async function createAll(h, workload) {
  let next = 0;
  const t0 = performance.now(), d0 = cpuMs(h.pid), c0 = process.cpuUsage();
  const worker = async () => {
    for (let i; (i = next++) < N;) {
      const name = `g${String(i).padStart(5, '0')}`;
      const text = guestText(name, workload);
      const built = configFromText(text, [], { filename: `${name}.cfg`, host: h.topology });
      if (!built.ok) throw new Error(built.messages.join('\n'));
      await h.conn.request('domain.create', {
        config: built.config, workload: built.extras.workload, configText: text, configFile: resolve(h.home, `${name}.cfg`), paused: false, cwd: h.home,
      });
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, worker));
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, daemonCpuMs: cpuMs(h.pid) - d0, clientCpuMs: (c.user + c.system) / 1000 };
}

/** The baseline path: `xl create` as a user runs it, one process per guest. */
function xlCreateMs(h, count) {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const cfg = join(h.home, `xl${i}.cfg`);
    writeFileSync(cfg, guestText(`xl${i}`, ''));
    const r = spawnSync(process.execPath, ['bin/xl', 'create', '-q', cfg], { env: h.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`xl create failed: ${r.stderr}`);
  }
  return (performance.now() - t0) / count;
}

async function scenario(label, workload) {
  const h = await startHost();
  try {
    await sleep(sized(1000, 200));
    const base = { rss: rssMiB(h.pid), ...(await watch(h)) };
    const created = await createAll(h, workload);
    const createMs = created.wallMs;
    const caught = await untilCaughtUp(h.conn, h.bootMs, sized(180_000, 0));
    await sleep(sized(3000, 500));
    const load = await watch(h);
    const rss = rssMiB(h.pid);
    const perDomKiB = ((rss - base.rss) * 1024) / N;
    console.log(`${label}: ${N} guests (${MEMORY_MIB} MiB, 1 vCPU) on ${CPUS} pCPUs, real clock; load average ${loadAverage()}`);
    console.log(`  creation: ${(createMs / 1000).toFixed(1)} s wall, ${(createMs / N).toFixed(2)} ms per guest (${DEPTH} in flight on one connection); the clock caught up ${caught.waitedS.toFixed(0)} s later${caught.lagMs >= 250 ? ` (still ${(caught.lagMs / 1000).toFixed(1)} s behind)` : ''}`);
    console.log(`  creation CPU: daemon ${(created.daemonCpuMs / 1000).toFixed(1)} s (${(created.daemonCpuMs / N).toFixed(2)} ms per guest), this client ${(created.clientCpuMs / 1000).toFixed(1)} s`);
    console.log(`  daemon RSS: ${rss.toFixed(0)} MiB, empty host ${base.rss.toFixed(0)} MiB: ${(perDomKiB / 1024).toFixed(3)} MiB per domain` +
      ` (at 10,000: ${((base.rss + (perDomKiB * 10_000) / 1024) / 1024).toFixed(2)} GiB; target <= 2 GiB)`);
    console.log(`  daemon CPU: ${load.cpuMsPerSimS.toFixed(0)} ms per simulated s (${load.corePct.toFixed(0)}% of a core), empty host ${base.cpuMsPerSimS.toFixed(0)} ms; ratio ${(load.cpuMsPerSimS / Math.max(1, base.cpuMsPerSimS)).toFixed(1)}x`);
    console.log(`  simulated/real time: ${load.ratio.toFixed(3)} (empty host ${base.ratio.toFixed(3)}; target 1.000 ± 0.02); from the daemon's CPU, on a core of its own it could run up to ${paceOnOwnCore(load.cpuMsPerSimS).toFixed(2)}x real time (>= 1 keeps pace); load average ${loadAverage()}`);
    return { h, createMs };
  } catch (e) { h.stop(); throw e; }
}

console.log(`machine load average before the run: ${loadAverage()}`);
const idle = await scenario('idle', '');
// The creation baseline, on the idle host already holding N guests: xl create, one process each.
const xlMs = xlCreateMs(idle.h, XL_SAMPLE);
console.log(`  xl create, one process per guest (${XL_SAMPLE} more guests): ${xlMs.toFixed(0)} ms per guest; ` +
  `the one-connection path is ${(xlMs / (idle.createMs / N)).toFixed(0)}x faster per guest`);
idle.h.stop();
const busy = await scenario('cpu=5', 'cpu=5');
busy.h.stop();
