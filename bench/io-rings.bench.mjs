// What the guests' I/O data path costs the daemon: a real xenlabd (virtual clock, 16 pCPUs)
// with 20 guests, each with a vif and a vbd on its own sparse image, advanced 10 simulated
// seconds with every guest doing `net-tx=20M,net-rx=5M` (then with `disk-write=5M` too), against
// the same host with the same guests idle (baseline, same run). Runs alternate; the figure is the median wall
// time of the clock-advance request per simulated second, and their ratio.
// Needs `npm run build`. Run: node bench/run.mjs io-rings
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../tests/helpers/host.ts';
import { Connection } from '../src/client/connection.ts';
import { hostPaths } from '../src/protocol/paths.ts';
import { sized } from './smoke.mjs';

const S = 1_000_000_000n;
const SIM_S = sized(10, 1), GUESTS = sized(20, 2), RUNS = sized(3, 1);
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function hostCost(workload) {
  const h = new TestHost('io-rings').start(['--clock', 'virtual', '--cpus', '16', '--memory', '64G']);
  try {
    for (let i = 0; i < GUESTS; i++) {
      const img = join(h.home, `g${i}.img`);
      const fd = openSync(img, 'w'); ftruncateSync(fd, 1 << 30); closeSync(fd);
      const cfg = join(h.home, `g${i}.cfg`);
      writeFileSync(cfg, `name = "g${i}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvif = [ 'bridge=xenbr0' ]\n` +
        `disk = [ '${img},raw,xvda,w' ]\n${workload ? `workload = "${workload}"\n` : ''}`);
      h.xlOk('create', cfg);
    }
    h.advance('2s');
    const conn = await Connection.open(hostPaths(h.home).control);
    const ms = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await conn.request('clock.advance', { ns: (BigInt(SIM_S) * S).toString() });
      ms.push(performance.now() - t0);
    }
    conn.close();
    return median(ms) / SIM_S;
  } finally { h.stop(); }
}

const idle = await hostCost('');
// The network alone is the rings' own cost; with the disk, blkback's writes to the images dominate.
const net = await hostCost('net-tx=20M,net-rx=5M');
const busy = await hostCost('net-tx=20M,net-rx=5M,disk-write=5M');
console.log(`${GUESTS} guests, ${SIM_S} simulated s x ${RUNS}: per simulated second idle ${idle.toFixed(1)} ms, ` +
  `network only ${net.toFixed(1)} ms (${(net / idle).toFixed(2)}x idle), network and disk ${busy.toFixed(1)} ms (${(busy / idle).toFixed(2)}x idle)`);
