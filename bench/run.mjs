// Runs every bench/*.bench.mjs in turn. Each prints its own figures as ratios against a
// baseline measured in the same run (see ../shared/reference/stack.md).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const only = process.argv.slice(2);
const files = readdirSync('bench').filter(f => f.endsWith('.bench.mjs')).sort()
  .filter(f => only.length === 0 || only.some(s => f.includes(s)));
let failed = 0;
for (const f of files) {
  console.log(`== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
