// One daemon per XENLAB_HOME, however it is started: the daemon holds an OS lock on
// xenlabd.lock for its whole life, and the kernel drops it when the process dies, whatever the
// way. Node has no flock(2); SQLite's fcntl(2) locking gives the same guarantee: the file is
// opened as an (empty) database kept in an exclusive transaction that is never committed.
// Nothing else in the daemon may open this file: closing any descriptor of it would drop the
// process's fcntl locks.
import { closeSync, constants } from 'node:fs';
import Database from 'better-sqlite3';
import { openStateFile } from '../dom0/state-files.ts';

/** Take the host's lock, or return undefined if another daemon holds it. */
export function lockHost(path: string): Database.Database | undefined {
  // Empty it: nothing is ever written, and an old xenlabd left a pid in it, which is no database.
  closeSync(openStateFile(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC));
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('journal_mode = MEMORY'); // no -journal file beside it
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (e: any) {
    db.close();
    if (e.code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
}
