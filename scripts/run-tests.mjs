// Runs every tests/**/*.test.ts through node's own test runner (Node 20 does not glob .ts itself),
// one file at a time: many files start daemons and terminals, and the machines have two vCPUs.
// Usage: node scripts/run-tests.mjs [substring...]  — only files whose path contains a substring.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk('tests').sort().filter(f => filters.length === 0 || filters.some(s => f.includes(s)));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
