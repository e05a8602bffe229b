// Persistence in SQLite (WAL): the machine's spec, the domid rover, the simulated clock,
// Domain-0's CPU time, and every domain's configuration and runtime state. Each lifecycle step
// is one transaction, and the daemon replies to a tool only after it committed, so a SIGKILL at
// any moment leaves the committed set of domains, which recovery brings back with the same domids.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { claimStateFile } from '../dom0/state-files.ts';
import type { MachineSpec } from '../machine/host.ts';
import { bytesFromText, textFromBytes } from '../formats/byte-text.ts';

export interface DomainRow {
  domid: number;
  name: string;
  uuid: string;
  /** libxl_domain_config JSON. */
  config: string;
  configText: string;
  configFile: string;
  workload: string | null;
  /** Runtime state JSON: pause count, shutdown, memory, vCPUs, affinity, sched params, CPU time... */
  state: string;
}

/** The database exists but fails its integrity check: the daemon must not start on it. */
export class StoreDamaged extends Error {
  constructor(path: string, problem: string) {
    super(`the database ${path} is damaged: refusing to start on it (it is left as it is, and no new host replaces it).\n` +
      `${problem.split('\n').slice(0, 4).map(l => `  ${l}`).join('\n')}\n` +
      `To recover: keep a copy aside (cp ${path}* to a safe place), see what is wrong with\n` +
      `  sqlite3 ${path} 'PRAGMA integrity_check'\n` +
      `and repair it: REINDEX when only an index is damaged, otherwise\n` +
      `  sqlite3 ${path} .recover | sqlite3 repaired.db\n` +
      `and put repaired.db in its place. Moving the file away starts a new, empty host.`);
  }
}

/** What PRAGMA integrity_check finds wrong (its first lines), or '' when the database is sound. */
function integrityProblem(path: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map(r => r.integrity_check).filter(r => r !== 'ok').join('\n');
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally { db?.close(); }
}

export class Store {
  private db: Database.Database;
  /** Statements compiled once: every command's commit runs some. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    // SQLite follows links: refuse them first. It gives a new -wal and -shm the database's mode,
    // so a database made 0600 here keeps all three 0600.
    claimStateFile(path, true);
    for (const f of [`${path}-wal`, `${path}-shm`]) claimStateFile(f, false);
    // A damaged database is never written to nor replaced by a new host: refuse, say how to
    // recover. The check reads only (a read-only connection does not even checkpoint its WAL).
    if (existsSync(path) && statSync(path).size > 0) {
      const problem = integrityProblem(path);
      if (problem) throw new StoreDamaged(path, problem);
    }
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS host (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS domains (
        domid INTEGER PRIMARY KEY, name TEXT NOT NULL, uuid TEXT NOT NULL, config TEXT NOT NULL,
        config_text TEXT NOT NULL, config_file TEXT NOT NULL, workload TEXT, state TEXT NOT NULL);
    `);
  }

  getHost(key: string): string | undefined {
    return (this.prepared('SELECT value FROM host WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }
  setHost(key: string, value: string): void {
    this.prepared('INSERT INTO host (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
  deleteHost(key: string): void {
    this.prepared('DELETE FROM host WHERE key = ?').run(key);
  }

  machine(): MachineSpec | undefined {
    const s = this.getHost('machine');
    return s ? JSON.parse(s) : undefined;
  }

  domains(): DomainRow[] {
    const rows = this.prepared('SELECT domid, name, uuid, config, config_text AS configText, config_file AS configFile, workload, state FROM domains ORDER BY domid').all() as DomainRow[];
    const text = (v: string | Buffer): string => (typeof v === 'string' ? v : textFromBytes(v));
    return rows.map(r => ({ ...r, name: text(r.name), configText: text(r.configText), configFile: text(r.configFile) }));
  }

  /**
   * The name, config file text and path are kept as the bytes they are (a BLOB): SQLite's TEXT
   * would turn bytes that are not UTF-8 into U+FFFD. The JSON columns escape them themselves.
   */
  putDomain(domain: DomainRow): void {
    const r = { ...domain, name: bytesFromText(domain.name), configText: bytesFromText(domain.configText), configFile: bytesFromText(domain.configFile) };
    this.prepared(`INSERT INTO domains (domid, name, uuid, config, config_text, config_file, workload, state)
      VALUES (@domid, @name, @uuid, @config, @configText, @configFile, @workload, @state)
      ON CONFLICT(domid) DO UPDATE SET name = excluded.name, uuid = excluded.uuid, config = excluded.config,
        config_text = excluded.config_text, config_file = excluded.config_file, workload = excluded.workload, state = excluded.state`).run(r);
  }

  deleteDomain(domid: number): void { this.prepared('DELETE FROM domains WHERE domid = ?').run(domid); }

  private prepared(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, st = this.db.prepare(sql));
    return st;
  }

  /** Run fn in one transaction. */
  tx<T>(fn: () => T): T { return this.db.transaction(fn)(); }

  close(): void { this.db.close(); }
}
