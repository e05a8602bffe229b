// xenstored's persistence. The host's daemon is its hypervisor and Dom0 at once, so guests
// outlive its restarts and their xenstore state must too. Every change to the live store is
// appended to a journal file with one write(2) before the request is answered (a SIGKILL then
// loses nothing answered; no fsync per request). At start the journal is replayed; when it has
// grown well past the tree it describes, it is replaced by a snapshot (temp file + rename).
// Only the live store is observed, so a transaction reaches the journal when it commits.

import { storedValue } from './value-bytes.ts';
import { openStateFile } from '../state-files.ts';
import { closeSync, constants, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { JOURNAL_MAGIC, JournalEncoder, applySplice, childSplice, decodeJournal } from '../../formats/xenstore-journal.ts';
import type { XsdErrorName } from './errors.ts';
import { Store, type StoreObserver, type XsNode } from './store.ts';

/** The journal is compacted once it exceeds this and several times the last snapshot. */
const COMPACT_MIN_BYTES = 8 << 20;
const COMPACT_RATIO = 4;
/** Snapshot records are cut at about this size. */
const SNAPSHOT_RECORD_BYTES = 64 * 1024;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

export class Journal implements StoreObserver {
  private readonly encoder = new JournalEncoder();
  /** What the nodes changed since the last flush were, to undo them if the write fails. */
  private readonly undo: [string, XsNode | undefined][] = [];
  private fd = -1;
  private fileBytes = 0;
  private snapshotBytes = 0;
  private failing = false;

  private constructor(private readonly file: string, private readonly store: Store, private readonly log: (line: string) => void) {}

  /**
   * The store the journal at `file` describes (a new default tree if there is none), with the
   * journal attached to record its changes from now on.
   */
  static open(file: string, log: (line: string) => void): { store: Store; journal: Journal } {
    let bytes: Buffer | null = null;
    try {
      const fd = openStateFile(file, O_RDONLY);
      try { bytes = readFileSync(fd); } finally { closeSync(fd); }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let store: Store;
    let validBytes = 0;
    let old = false;
    if (bytes) {
      const decoded = decodeJournal(bytes);
      validBytes = decoded.validBytes;
      old = decoded.old;
      store = new Store(true);
      for (const op of decoded.ops) {
        if (op.op === 'del') store.del(op.path);
        else {
          const children = store.get(op.path)?.children ?? [];
          store.put(op.path, { value: storedValue(op.value), perms: op.perms, children: op.children ?? (op.splice ? applySplice(children, op.splice) : children) });
        }
      }
      if (!store.get('/')) throw new Error(`${file}: the journal holds no root node`);
      if (validBytes < bytes.length) log(`journal ${file}: ignored ${bytes.length - validBytes} bytes after offset ${validBytes} (a record cut short)`);
    } else {
      store = new Store();
    }
    const journal = new Journal(file, store, log);
    try {
      journal.compact();
    } catch (e) {
      if (!bytes || old) throw e;
      // No room for a snapshot: carry on appending to what there is, without its torn tail.
      log(`journal ${file}: cannot compact (${(e as Error).message}); appending to it`);
      journal.fd = openStateFile(file, O_WRONLY | O_APPEND);
      ftruncateSync(journal.fd, validBytes);
      journal.fileBytes = journal.snapshotBytes = validBytes;
    }
    store.observer = journal;
    return { store, journal };
  }

  put(path: string, node: XsNode, old: XsNode | undefined): void {
    this.undo.push([path, old]);
    if (!old || old.children === node.children) { this.encoder.put(path, node.value, node.perms, old ? null : node.children); return; }
    const splice = childSplice(old.children, node.children);
    if (splice) this.encoder.putSplice(path, node.value, node.perms, splice);
    else this.encoder.put(path, node.value, node.perms, node.children);
  }

  del(path: string, old: XsNode): void {
    this.undo.push([path, old]);
    this.encoder.del(path);
  }

  /**
   * Writes the changes made since the last flush as one record. If that fails (a full disk),
   * the changes are undone and the error to answer with is returned.
   */
  flush(): XsdErrorName | null {
    if (this.undo.length === 0) return null;
    const record = this.encoder.take();
    try {
      writeAll(this.fd, record);
    } catch (e) {
      // A partial record must not stay in front of the next one.
      try { ftruncateSync(this.fd, this.fileBytes); } catch {}
      for (let i = this.undo.length - 1; i >= 0; i--) this.store.restore(...this.undo[i]!);
      this.undo.length = 0;
      const code = (e as NodeJS.ErrnoException).code;
      if (!this.failing) this.log(`journal ${this.file}: write failed (${code ?? (e as Error).message}); changes are refused until it can be written`);
      this.failing = true;
      return code === 'ENOSPC' || code === 'EDQUOT' ? 'ENOSPC' : 'EIO';
    }
    this.undo.length = 0;
    this.fileBytes += record.length;
    if (this.failing) { this.failing = false; this.log(`journal ${this.file}: writable again`); }
    if (this.fileBytes > COMPACT_MIN_BYTES && this.fileBytes > COMPACT_RATIO * this.snapshotBytes) {
      try { this.compact(); } catch (e) { this.log(`journal ${this.file}: cannot compact (${(e as Error).message})`); }
    }
    return null;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.store.observer = null;
  }

  /** Replaces the journal by a snapshot of the tree: a temp file, synced, renamed over it. */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    try { unlinkSync(tmp); } catch {}
    const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    let size = 0;
    try {
      writeAll(fd, JOURNAL_MAGIC);
      size = JOURNAL_MAGIC.length;
      const enc = new JournalEncoder();
      const out = (): void => { const r = enc.take(); writeAll(fd, r); size += r.length; };
      for (const [path, node] of this.store.walk()) {
        enc.put(path, node.value, node.perms, node.children);
        if (enc.size >= SNAPSHOT_RECORD_BYTES) out();
      }
      if (enc.size > 0) out();
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      try { unlinkSync(tmp); } catch {}
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, this.file);
    syncDir(dirname(this.file));
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openStateFile(this.file, O_WRONLY | O_APPEND);
    this.fileBytes = this.snapshotBytes = size;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
}

/** The rename is durable once the directory is synced (best effort: not every filesystem allows it). */
function syncDir(dir: string): void {
  try { const fd = openSync(dir, O_RDONLY); try { fsyncSync(fd); } finally { closeSync(fd); } } catch {}
}
