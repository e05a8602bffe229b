// xenlabd stop --save-guests DIR and start --restore-guests DIR: what Debian's xendomains does
// at host shutdown and boot, from the daemon's side. Each guest goes through the admin's own
// `xl save` / `xl restore`, so the files are ordinary xl save files, one per domain, named after
// it as xendomains names them (either tool restores the other's directory).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../client/connection.ts';
import { nameAsFileName } from '../dom0/state-files.ts';

/** xl's bundle in dist/ (this code may sit in dist/ or in dist/chunks/). */
function xlScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'xl.cjs'), join(here, '..', 'xl.cjs')].find(existsSync) ?? join(here, 'xl.cjs');
}

const xl = (args: string[]): boolean =>
  spawnSync(process.execPath, [xlScript(), ...args], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;

/** Save every guest (each one is gone once saved); false if any could not be saved. */
export async function saveGuests(conn: Connection, dir: string): Promise<boolean> {
  const at = resolve(dir);
  mkdirSync(at, { recursive: true, mode: 0o700 });
  let ok = true;
  for (const d of await conn.request('domain.list', {})) {
    if (d.domid === 0 || d.name === null) continue;
    const file = join(at, nameAsFileName(d.name));
    if (xl(['save', String(d.domid), file])) process.stdout.write(`xenlabd: saved ${d.name} (${d.domid}) to ${file}\n`);
    else ok = false;
  }
  return ok;
}

/** Restore every file of `dir`, removing each once its domain runs; false if any failed. */
export function restoreGuests(dir: string): boolean {
  const at = resolve(dir);
  let ok = true;
  for (const name of readdirSync(at).sort()) {
    const file = join(at, name);
    if (!statSync(file).isFile()) continue;
    if (xl(['restore', file])) {
      rmSync(file);
      process.stdout.write(`xenlabd: restored ${file}\n`);
    } else ok = false;
  }
  return ok;
}
