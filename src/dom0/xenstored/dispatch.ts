// Request dispatch: one do_<op> per message type, the argument checks xenstored makes, and
// the reply. Handlers throw XsdError; handle() maps it to an ERROR reply in one place.

import { XS_PAYLOAD_MAX, XS_TYPE_COUNT, XsType, packStrings, splitStrings, type XsMessage } from '../../formats/xenstore-wire.ts';
import type { Connection } from './connection.ts';
import { doControl } from './control.ts';
import type { XenstoredCore } from './core.ts';
import { fail, toWireError } from './errors.ts';
import { doMkdir, doRm, doSetPerms, doWrite, getNode } from './node-ops.ts';
import { canonicalize, isValidNodename } from './path.ts';
import { PERM_OWNER, PERM_READ, PERM_WRITE, formatPerm, parsePerm, permFor } from './perms.ts';
import { quota } from './quota.ts';
import type { NodeView } from './store.ts';
import { Transaction, type PendingEvent } from './transaction.ts';

const OK = Buffer.from('OK\0');
const DOMID_SELF = 0x7ff0;

interface Req {
  core: XenstoredCore;
  conn: Connection;
  msg: XsMessage;
  tx: Transaction | undefined;
  view: NodeView;
  events: PendingEvent[];
}
/** A reply payload, optionally with work to do after it is sent (WATCH's first event). */
type Result = Buffer | { reply: Buffer; after: () => void };
type Handler = (r: Req) => Result;

/** onearg(): exactly one string, NUL-terminated. */
function oneArg(msg: XsMessage): string {
  const p = msg.payload;
  if (p.length === 0 || p[p.length - 1] !== 0 || p.indexOf(0) !== p.length - 1) fail('EINVAL');
  return p.toString('latin1', 0, p.length - 1);
}

/** Exactly `n` NUL-terminated strings. */
function args(msg: XsMessage, n: number): string[] {
  const { strings, terminated } = splitStrings(msg.payload);
  if (!terminated || strings.length !== n) fail('EINVAL');
  return strings;
}

function nodePath(r: Req, name: string): string {
  return canonicalize(r.conn.home, name);
}

function parseDomid(s: string): number {
  if (!/^\d+$/.test(s)) fail('EINVAL');
  const d = Number(s);
  if (d > 0xffff) fail('EINVAL');
  return d;
}

/** atoi(): leading digits, 0 if none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1], 10) | 0 : 0;
}

function childList(children: readonly string[]): Buffer {
  return packStrings(children as string[]);
}

function priv(r: Req): void { if (!r.conn.privileged) fail('EACCES'); }

const handlers: Partial<Record<number, Handler>> = {
  [XsType.READ](r) {
    const path = nodePath(r, oneArg(r.msg));
    return getNode(r.view, r.conn, path, PERM_READ).value;
  },

  [XsType.DIRECTORY](r) {
    const node = getNode(r.view, r.conn, nodePath(r, oneArg(r.msg)), PERM_READ);
    const reply = childList(node.children);
    if (reply.length > XS_PAYLOAD_MAX) fail('E2BIG');
    return reply;
  },

  [XsType.DIRECTORY_PART](r) {
    const [name, offStr] = args(r.msg, 2);
    const node = getNode(r.view, r.conn, nodePath(r, name), PERM_READ);
    const list = childList(node.children);
    const gen = Buffer.from(`${node.generation}\0`);
    const off = atoi(offStr);
    if (off < 0 || off >= list.length) return Buffer.concat([gen, Buffer.from([0])]);
    let len = 0;
    while (off + len < list.length) {
      const end = list.indexOf(0, off + len);
      const next = end - off + 1;
      if (gen.length + next > XS_PAYLOAD_MAX) break;
      len = next;
    }
    const done = off + len === list.length;
    return Buffer.concat([gen, list.subarray(off, off + len), done ? Buffer.from([0]) : Buffer.alloc(0)]);
  },

  [XsType.GET_PERMS](r) {
    // Special nodes' permissions can be set but not read back in 4.17 (EINVAL, as any '@' path).
    const name = nodePath(r, oneArg(r.msg));
    return packStrings(getNode(r.view, r.conn, name, PERM_READ).perms.map(formatPerm));
  },

  [XsType.WRITE](r) {
    const p = r.msg.payload;
    const nul = p.indexOf(0);
    if (nul < 0) fail('EINVAL');
    const path = nodePath(r, p.toString('latin1', 0, nul));
    doWrite(r.view, r.conn, path, Buffer.from(p.subarray(nul + 1)), r.events);
    return OK;
  },

  [XsType.MKDIR](r) {
    doMkdir(r.view, r.conn, nodePath(r, oneArg(r.msg)), r.events);
    return OK;
  },

  [XsType.RM](r) {
    doRm(r.view, r.conn, nodePath(r, oneArg(r.msg)), r.events);
    return OK;
  },

  [XsType.SET_PERMS](r) {
    const { strings, terminated } = splitStrings(r.msg.payload);
    if (!terminated || strings.length < 2) fail('EINVAL');
    const name = nodePath(r, strings[0]);
    const perms = strings.slice(1).map(parsePerm);
    if (name.startsWith('@')) {
      const old = r.core.specialPerms.get(name);
      if (!old) fail('EINVAL');
      if ((permFor(r.conn, old) & (PERM_WRITE | PERM_OWNER)) !== (PERM_WRITE | PERM_OWNER)) fail('EACCES');
      r.core.specialPerms.set(name, perms);
      return OK;
    }
    doSetPerms(r.view, r.conn, name, perms, r.events);
    return OK;
  },

  [XsType.WATCH](r) {
    const [given, token] = args(r.msg, 2);
    const path = nodePath(r, given);
    if (path.startsWith('@')) { if (path.length > quota.pathMax) fail('EINVAL'); }
    else if (!isValidNodename(path)) fail('EINVAL');
    const conn = r.conn;
    if (conn.watches.some(w => w.path === path && w.token === token)) fail('EEXIST');
    if (!conn.privileged && r.core.watchesOfDomain(conn.domid) > quota.watches) fail('E2BIG');
    const watch = { path, token, stripLen: given === path ? 0 : conn.home.length + 1 };
    conn.watches.push(watch);
    // The first event fires at once, naming the path exactly as the client gave it.
    return { reply: OK, after: () => conn.sendWatchEvent(given, token) };
  },

  [XsType.UNWATCH](r) {
    const [given, token] = args(r.msg, 2);
    const path = nodePath(r, given);
    const i = r.conn.watches.findIndex(w => w.path === path && w.token === token);
    if (i < 0) fail('ENOENT');
    r.conn.watches.splice(i, 1);
    return OK;
  },

  [XsType.RESET_WATCHES](r) {
    r.conn.watches = [];
    r.conn.transactions.clear();
    return OK;
  },

  [XsType.TRANSACTION_START](r) {
    if (r.tx) fail('EBUSY');
    const conn = r.conn;
    if (!conn.privileged && conn.transactions.size > quota.transactions) fail('ENOSPC');
    const id = conn.allocTxId();
    conn.transactions.set(id, new Transaction(id, r.core.store, !conn.privileged));
    return Buffer.from(`${id}\0`);
  },

  [XsType.TRANSACTION_END](r) {
    const arg = oneArg(r.msg);
    if (!r.tx) fail('ENOENT');
    if (arg !== 'T' && arg !== 'F') fail('EINVAL');
    r.conn.transactions.delete(r.tx.id);
    if (arg === 'T') r.events.push(...r.tx.commit());
    return OK;
  },

  [XsType.GET_DOMAIN_PATH](r) {
    return Buffer.from(`/local/domain/${atoi(oneArg(r.msg))}\0`);
  },

  [XsType.INTRODUCE](r) {
    priv(r);
    const [domStr, , portStr] = args(r.msg, 3);
    const domid = parseDomid(domStr);
    if (atoi(portStr) <= 0) fail('EINVAL');
    r.core.introduce(domid);
    return OK;
  },

  [XsType.RELEASE](r) {
    priv(r);
    const domid = parseDomid(oneArg(r.msg));
    if (domid === 0) fail('EINVAL');
    if (!r.core.domains.has(domid)) fail('ENOENT');
    return { reply: OK, after: () => r.core.release(domid) };
  },

  [XsType.IS_DOMAIN_INTRODUCED](r) {
    priv(r);
    const domid = atoi(oneArg(r.msg));
    return Buffer.from(domid === DOMID_SELF || r.core.domains.has(domid) ? 'T\0' : 'F\0');
  },

  [XsType.RESUME](r) {
    priv(r);
    const d = r.core.domains.get(parseDomid(oneArg(r.msg)));
    if (!d) fail('ENOENT');
    d.shutdownReported = false;
    return OK;
  },

  [XsType.SET_TARGET](r) {
    priv(r);
    const [a, b] = args(r.msg, 2).map(parseDomid);
    if (!r.core.domains.has(a)) fail('ENOENT');
    if (!r.core.domains.has(b)) fail('ENOENT');
    r.core.targets.set(a, b);
    return OK;
  },

  [XsType.CONTROL](r) {
    priv(r);
    const { strings, terminated } = splitStrings(r.msg.payload);
    if (!terminated || strings.length === 0) fail('EINVAL');
    return Buffer.from(doControl(r.core, strings) + '\0');
  },
};

/** Operations that ignore the header's tx_id. */
const NO_TX = new Set<number>([
  XsType.CONTROL, XsType.WATCH, XsType.UNWATCH, XsType.INTRODUCE, XsType.RELEASE, XsType.GET_DOMAIN_PATH,
  XsType.IS_DOMAIN_INTRODUCED, XsType.RESUME, XsType.SET_TARGET, XsType.RESET_WATCHES,
]);

export function handle(core: XenstoredCore, conn: Connection, msg: XsMessage): void {
  const events: PendingEvent[] = [];
  let result: Result;
  try {
    const handler = msg.type < XS_TYPE_COUNT ? handlers[msg.type] : undefined;
    if (!handler) fail('ENOSYS');
    let tx: Transaction | undefined;
    if (msg.txId !== 0 && !NO_TX.has(msg.type)) {
      tx = conn.transactions.get(msg.txId);
      if (!tx) fail('ENOENT');
    }
    result = handler({ core, conn, msg, tx, view: tx ?? core.store, events });
  } catch (e) {
    core.persist();
    conn.send(XsType.ERROR, msg.reqId, msg.txId, Buffer.from(`${toWireError(e, core.log)}\0`));
    return;
  }
  // What is answered is journalled first; a change the journal cannot take is undone and refused.
  const unsaved = core.persist();
  if (unsaved) {
    conn.send(XsType.ERROR, msg.reqId, msg.txId, Buffer.from(`${unsaved}\0`));
    return;
  }
  // Changes inside a transaction fire only when it commits; others fire before the reply,
  // as C xenstored queues them.
  const tx = msg.txId !== 0 && msg.type !== XsType.TRANSACTION_END ? conn.transactions.get(msg.txId) : undefined;
  if (tx) tx.queue(events);
  else core.fire(events);
  if (Buffer.isBuffer(result)) conn.send(msg.type, msg.reqId, msg.txId, result);
  else { conn.send(msg.type, msg.reqId, msg.txId, result.reply); result.after(); core.persist(); }
}
