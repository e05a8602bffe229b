// An I/O-heavy host on the real clock (issue 13, acceptance 6): 100 guests, each with a vif and
// a vbd, each doing `net-tx=20M,disk-write=20M`, on a 32-pCPU host whose Dom0 has 16 vCPUs. The
// vbds are `phy:/dev/null`, a block device blkback leaves alone: 2 GiB/s of image writes would
// measure this machine's disk, not the daemon (io-rings.bench.mjs measures the image writes). Does simulated time keep pace with real time (target 1.00), and
// what does the daemon's CPU cost per simulated second? The baseline is the same host with the
// same guests idle, measured in the same run. The I/O the guests got (xentop -b over one
// second) is printed too: the NIC (10 GbE) and Dom0's vCPUs bound it, not the daemon. Beside
// the wall-clock pace, the pace the daemon's CPU per simulated second allows on a core of its own.
// Needs `npm run build`. Run: node bench/run.mjs io-host
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TestHost } from '../tests/helpers/host.ts';
import { Connection } from '../src/client/connection.ts';
import { hostPaths } from '../src/protocol/paths.ts';
import { parseBatch } from '../tests/cli/xentop/row-format.ts';
import { sized } from './smoke.mjs';
import { loadAverage, paceOnOwnCore } from './pace.mjs';

const GUESTS = sized(100, 2), WINDOW_MS = sized(10_000, 1_000), SETTLE_MS = sized(5_000, 500), PARALLEL = 4;
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Run a tool of ours to its end; reject on failure. */
function tool(h, name, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(BIN, name), ...args], { env: h.env });
    let out = '', err = '';
    p.stdout.on('data', d => { out += d; });
    p.stderr.on('data', d => { err += d; });
    p.on('close', code => (code === 0 ? resolve(out) : reject(new Error(`${name} ${args.join(' ')}: ${err}`))));
  });
}

async function hostCost(workload) {
  const h = new TestHost('io-host').start(['--clock', 'real', '--cpus', '32', '--memory', '64G', '--dom0-vcpus', '16']);
  try {
    const cfgs = Array.from({ length: GUESTS }, (_, i) => {
      const cfg = join(h.home, `g${i}.cfg`);
      writeFileSync(cfg, `name = "g${i}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvif = [ 'bridge=xenbr0' ]\n` +
        `disk = [ 'phy:/dev/null,xvda,w' ]\n${workload ? `workload = "${workload}"\n` : ''}`);
      return cfg;
    });
    for (let i = 0; i < cfgs.length; i += PARALLEL) await Promise.all(cfgs.slice(i, i + PARALLEL).map(c => tool(h, 'xl', ['create', '-q', c])));
    await sleep(SETTLE_MS);
    const paths = hostPaths(h.home);
    const pid = readFileSync(paths.pidfile, 'utf8').trim();
    const cpuMs = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
    const conn = await Connection.open(paths.control);
    const s0 = Number((await conn.request('clock.get', {})).nowNs), w0 = performance.now(), u0 = cpuMs();
    await sleep(WINDOW_MS);
    const s1 = Number((await conn.request('clock.get', {})).nowNs), w1 = performance.now(), u1 = cpuMs();
    conn.close();
    const rows = parseBatch(await tool(h, 'xentop', ['-b', '-i', '2', '-d', '1'])).flatMap(l => (l.kind === 'row' ? [l.row] : []));
    const half = rows.length / 2, was = new Map(rows.slice(0, half).map(r => [r.name, r]));
    const guests = rows.slice(half).filter(r => r.name !== 'Domain-0');
    const sum = f => guests.reduce((a, r) => a + f(r) - f(was.get(r.name)), 0);
    const simS = (s1 - s0) / 1e9;
    return {
      pace: simS * 1000 / (w1 - w0), cpuPerSimS: (u1 - u0) / simS,
      netMiBs: sum(r => r.netRxK) / 1024, diskMiBs: sum(r => r.vbdWsect) * 512 / 2 ** 20,
      dom0Pct: rows.slice(half).find(r => r.name === 'Domain-0').cpuPct,
    };
  } finally { h.stop(); }
}

const idle = await hostCost('');
const busy = await hostCost('net-tx=20M,disk-write=20M');
console.log(`${GUESTS} guests, real clock, ${WINDOW_MS / 1000} s: simulated/real time idle ${idle.pace.toFixed(2)}, I/O-heavy ${busy.pace.toFixed(2)} (target 1.00); ` +
  `from the daemon's CPU, on a core of its own it could run up to idle ${paceOnOwnCore(idle.cpuPerSimS).toFixed(2)}x, I/O-heavy ${paceOnOwnCore(busy.cpuPerSimS).toFixed(2)}x real time (>= 1 keeps pace); load average ${loadAverage()}`);
console.log(`  ` +
  `daemon CPU per simulated second idle ${idle.cpuPerSimS.toFixed(0)} ms, I/O-heavy ${busy.cpuPerSimS.toFixed(0)} ms (${(busy.cpuPerSimS / Math.max(1, idle.cpuPerSimS)).toFixed(2)}x idle)`);
console.log(`I/O the guests got: NETRX ${busy.netMiBs.toFixed(0)} MiB/s, disk writes ${busy.diskMiBs.toFixed(0)} MiB/s (asked: ${GUESTS * 20} MiB/s of each); Dom0 CPU(%) ${busy.dom0Pct}`);
