// `xentop --dashboard`: runs dist/xentop-dashboard.js on this terminal and waits for it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XentopOptions } from '../options.ts';

/** dist/xentop-dashboard.js, found upwards from this (possibly chunked) module. */
function dashboardScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const cand of [join(dir, 'xentop-dashboard.js'), join(dir, 'dist', 'xentop-dashboard.js')]) if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  throw Object.assign(new Error('cannot find dist/xentop-dashboard.js: run npm run build'), { exitCode: 1 });
}

export function runDashboard(o: XentopOptions): Promise<number> {
  if (!process.stdout.isTTY) {
    process.stderr.write('xentop: --dashboard needs a terminal\n');
    return Promise.resolve(1);
  }
  const child = spawn(process.execPath, [dashboardScript(), '--delay', String(o.delay)], { stdio: 'inherit' });
  // The child owns the terminal; Ctrl-C reaches it directly.
  process.on('SIGINT', () => {});
  return new Promise(resolve => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
