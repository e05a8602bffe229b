// `npm start`: a host with the bundled example guest, listed by xl list. Safe to run again.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, existsSync, ftruncateSync } from 'node:fs';

const run = (bin, args) => spawnSync(process.execPath, [`bin/${bin}`, ...args], { stdio: 'inherit' }).status ?? 1;
const quiet = (bin, args) => spawnSync(process.execPath, [`bin/${bin}`, ...args], { encoding: 'utf8' });

// Sparse disk images for the examples that have disks.
mkdirSync('images', { recursive: true });
for (const [f, size] of [['images/web.img', 2 ** 31]]) {
  if (!existsSync(f)) { const fd = openSync(f, 'w'); ftruncateSync(fd, size); closeSync(fd); }
}
if (run('xenlabd', ['start']) !== 0) process.exit(1);
if (quiet('xl', ['domid', 'demo']).status !== 0 && run('xl', ['create', 'examples/demo.cfg']) !== 0) process.exit(1);
process.exit(run('xl', ['list']));
