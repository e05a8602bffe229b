// Runs every bench/*.bench.mjs in turn. Each prints its own figures as ratios against a
// baseline measured in the same run (see ../shared/reference/stack.md).
// Usage: node bench/run.mjs [--smoke] [substring...]  (--smoke: see smoke.mjs)
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const only = args.filter(a => a !== '--smoke');
const files = readdirSync('bench').filter(f => f.endsWith('.bench.mjs')).sort()
  .filter(f => only.length === 0 || only.some(s => f.includes(s)));
const env = smoke ? { ...process.env, XENLAB_BENCH_SMOKE: '1' } : process.env;
let failed = 0;
for (const f of files) {
  console.log(`== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit', env });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
