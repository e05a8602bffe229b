// `xl list` with 10 domains against `node -e 0`: medians of interleaved runs, in one run
// (issue 2, acceptance 7; target <= 1.3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDaemon } from '../src/client/autostart.ts';
import { sized } from './smoke.mjs';

const home = mkdtempSync(join(tmpdir(), 'xlb-'));
const env = { ...process.env, XENLAB_HOME: home };
spawnSync(process.execPath, ['dist/xenlabd.js', 'start', '--clock', 'virtual'], { env, stdio: 'inherit' });
process.env.XENLAB_HOME = home;
const conn = await connectDaemon({ autostart: false });
for (let i = 0; i < sized(10, 2); i++) {
  await conn.request('domain.create', {
    config: { c_info: { type: 'pv', name: `bench${i}` }, b_info: { max_memkb: 131072, target_memkb: 131072 } },
    configText: '', configFile: 'bench.cfg', paused: false,
  });
}
conn.close();

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const base = [], xl = [];
for (let i = 0; i < sized(5, 1); i++) { time(['-e', '0']); time(['bin/xl', 'list']); }
for (let i = 0; i < sized(41, 3); i++) { base.push(time(['-e', '0'])); xl.push(time(['bin/xl', 'list'])); }
const lines = spawnSync(process.execPath, ['bin/xl', 'list'], { env, encoding: 'utf8' }).stdout.trim().split('\n').length - 1;
spawnSync(process.execPath, ['dist/xenlabd.js', 'stop'], { env });
rmSync(home, { recursive: true, force: true });
console.log(`xl list (${lines} domains): median ${median(xl).toFixed(1)} ms; node -e 0: ${median(base).toFixed(1)} ms; ratio ${(median(xl) / median(base)).toFixed(2)} (target <= 1.30)`);
