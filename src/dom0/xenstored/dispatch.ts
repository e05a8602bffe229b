// Request dispatch: one do_<op> per message type, the argument checks xenstored makes, and
// the reply. Handlers throw XsdError; handle() maps it to an ERROR reply in one place.

import { storedValue } from './value-bytes.ts';
import { XS_PAYLOAD_MAX, XS_REL_PATH_MAX, XS_TYPE_COUNT, XsType, countNuls, packStrings, splitStrings, type XsMessage } from '../../formats/xenstore-wire.ts';
import { atoi } from '../../formats/libc/strtol.ts';
import type { Connection } from './connection.ts';
import { doControl } from './control.ts';
import type { XenstoredCore } from './core.ts';
import { XsdError, fail, failErrno, toWireError } from './errors.ts';
import { doMkdir, doRm, doSetPerms, doWrite, getNode } from './node-ops.ts';
import { canonicalize, isValidNodename } from './path.ts';
import { PERM_IGNORE, PERM_OWNER, PERM_READ, PERM_WRITE, formatPerm, parsePerm, permFor } from './perms.ts';
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
/** A reply payload, optionally with work to do after it is sent (WATCH's first event); null: answered later (a live update's start). */
type Result = Buffer | { reply: Buffer; after: () => void } | null;
type Handler = (r: Req) => Result;

/** onearg(): the payload is one string, its NUL the last byte; null otherwise. */
function oneArg(msg: XsMessage): string | null {
  const p = msg.payload;
  const nul = p.indexOf(0);
  return nul >= 0 && nul === p.length - 1 ? p.toString('latin1', 0, nul) : null;
}

/** get_strings(): every NUL-terminated string; bytes after the last NUL are ignored. */
function getStrings(msg: XsMessage): string[] {
  const { strings, terminated } = splitStrings(msg.payload);
  if (!terminated) strings.pop();
  return strings;
}

/** MKDIR and RM: C reports a NULL name found missing (errno ENOENT) as ENOMEM. */
function nameOrNoMemory(r: Req): string {
  if (oneArg(r.msg) === null && r.core.errno === 'ENOENT') fail('ENOMEM');
  return nameArg(r);
}

/**
 * The node named by a one-string request. C passes a malformed argument on as a NULL name,
 * which fails without setting errno: the request reports whatever errno an earlier lookup left.
 */
function nameArg(r: Req): string {
  const name = oneArg(r.msg);
  if (name === null) fail(r.core.errno ?? 'EINVAL');
  return canonicalize(r.conn.home, name);
}

/** RELEASE and RESUME's argument: an introduced domain other than dom0 (atoi 0 is EINVAL). */
function introducedArg(r: Req): number {
  const arg = oneArg(r.msg);
  const domid = arg === null ? 0 : domidArg(arg);
  if (domid === 0) fail('EINVAL');
  if (!r.core.domains.has(domid)) fail('ENOENT');
  return domid;
}

/** atoi() into an unsigned int, as C reads domids. */
function domidArg(s: string): number {
  return atoi(s) >>> 0;
}

function childList(children: readonly string[]): Buffer {
  return packStrings(children as string[]);
}

function priv(r: Req): void { if (!r.conn.privileged) fail('EACCES'); }

const handlers: Partial<Record<number, Handler>> = {
  [XsType.READ](r) {
    return getNode(r.view, r.conn, nameArg(r), PERM_READ).value;
  },

  [XsType.DIRECTORY](r) {
    const node = getNode(r.view, r.conn, nameArg(r), PERM_READ);
    const reply = childList(node.children);
    if (reply.length > XS_PAYLOAD_MAX) fail('E2BIG');
    return reply;
  },

  [XsType.DIRECTORY_PART](r) {
    if (countNuls(r.msg.payload) !== 2) fail('EINVAL');
    const [name, offStr] = getStrings(r.msg);
    const node = getNode(r.view, r.conn, canonicalize(r.conn.home, name), PERM_READ);
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
    return packStrings(getNode(r.view, r.conn, nameArg(r), PERM_READ).perms.map(formatPerm));
  },

  [XsType.WRITE](r) {
    const p = r.msg.payload;
    const nul = p.indexOf(0);
    if (nul < 0) fail('EINVAL');
    const path = canonicalize(r.conn.home, p.toString('latin1', 0, nul));
    if (doWrite(r.view, r.conn, path, storedValue(p.subarray(nul + 1)), r.events)) r.core.errno = 'ENOENT';
    return OK;
  },

  [XsType.MKDIR](r) {
    if (doMkdir(r.view, r.conn, nameOrNoMemory(r), r.events)) r.core.errno = 'ENOENT';
    return OK;
  },

  [XsType.RM](r) {
    if (doRm(r.view, r.conn, nameOrNoMemory(r), r.events)) r.core.errno = 'ENOENT';
    return OK;
  },

  [XsType.SET_PERMS](r) {
    // Counted as C counts them: every NUL, the name's included; anything after the last is ignored.
    const strings = getStrings(r.msg);
    if (strings.length < 2) fail('EINVAL');
    if (!r.conn.privileged && strings.length - 1 > quota.permissions) fail('ENOSPC');
    const perms = strings.slice(1).map(parsePerm).map(p => (r.core.knowDomain(p.id) ? p : { id: p.id, bits: p.bits | PERM_IGNORE }));
    // An owner the hypervisor does not know of.
    if (perms[0].bits & PERM_IGNORE) fail('ENOENT');
    const name = canonicalize(r.conn.home, strings[0]);
    if (name.startsWith('@')) {
      // C answers a refusal here with errno, which this refusal does not set: what the last lookup left.
      const old = r.core.specialPerms.get(name);
      if (!old || (permFor(r.conn, old) & (PERM_WRITE | PERM_OWNER)) !== (PERM_WRITE | PERM_OWNER)) fail(r.core.errno ?? 'EINVAL');
      r.core.specialPerms.set(name, perms);
      return OK;
    }
    doSetPerms(r.view, r.conn, name, perms, r.events);
    return OK;
  },

  [XsType.WATCH](r) {
    if (countNuls(r.msg.payload) !== 2) fail('EINVAL');
    const [given, token] = getStrings(r.msg);
    const path = canonicalize(r.conn.home, given);
    // check_watch_path reports through errno, success included.
    if (path.startsWith('@') ? given.length > XS_REL_PATH_MAX : !isValidNodename(path)) failErrno('EINVAL');
    r.core.errno = null;
    const conn = r.conn;
    if (conn.watches.some(w => w.path === path && w.token === token)) fail('EEXIST');
    if (!conn.privileged && r.core.watchesOfDomain(conn.domid) > quota.watches) fail('E2BIG');
    if (!conn.privileged && r.core.memoryOf(conn.domid) + path.length + token.length >= quota.memory) failErrno('ENOMEM');
    const watch = { path, token, stripLen: given === path ? 0 : conn.home.length + 1 };
    conn.addWatch(watch);
    // The first event fires at once, naming the path exactly as the client gave it.
    return { reply: OK, after: () => r.core.sendEvent(conn, given, token) };
  },

  [XsType.UNWATCH](r) {
    if (countNuls(r.msg.payload) !== 2) fail('EINVAL');
    const [given, token] = getStrings(r.msg);
    const path = canonicalize(r.conn.home, given);
    const i = r.conn.watches.findIndex(w => w.path === path && w.token === token);
    if (i < 0) fail('ENOENT');
    r.conn.removeWatch(i);
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
    if (conn.transactions.size === 0) conn.taStartedAt = r.core.clock.nowS();
    conn.transactions.set(id, new Transaction(id, r.core.store, !conn.privileged));
    return Buffer.from(`${id}\0`);
  },

  [XsType.TRANSACTION_END](r) {
    const arg = oneArg(r.msg);
    if (arg !== 'T' && arg !== 'F') fail('EINVAL');
    if (!r.tx) fail('ENOENT');
    r.conn.transactions.delete(r.tx.id);
    if (arg === 'T') r.events.push(...r.tx.commit());
    return OK;
  },

  [XsType.GET_DOMAIN_PATH](r) {
    const arg = oneArg(r.msg);
    if (arg === null) fail('EINVAL');
    return Buffer.from(`/local/domain/${domidArg(arg)}\0`);
  },

  [XsType.INTRODUCE](r) {
    priv(r);
    const [domStr, , portStr] = getStrings(r.msg);
    if (portStr === undefined) fail('EINVAL');
    // The gfn is not needed (the page is the domain's reserved grant); port 0 is no event channel.
    const port = domidArg(portStr);
    if (port === 0) fail('EINVAL');
    r.core.introduce(domidArg(domStr), port);
    return OK;
  },

  [XsType.RELEASE](r) {
    priv(r);
    const domid = introducedArg(r);
    return { reply: OK, after: () => r.core.release(domid) };
  },

  [XsType.IS_DOMAIN_INTRODUCED](r) {
    priv(r);
    const arg = oneArg(r.msg);
    if (arg === null) fail('EINVAL');
    const domid = domidArg(arg);
    return Buffer.from(domid === DOMID_SELF || r.core.domains.has(domid) ? 'T\0' : 'F\0');
  },

  [XsType.RESUME](r) {
    priv(r);
    r.core.domains.get(introducedArg(r))!.shutdownReported = false;
    return OK;
  },

  [XsType.SET_TARGET](r) {
    priv(r);
    const strings = getStrings(r.msg);
    if (strings.length < 2) fail('EINVAL');
    const [a, b] = strings.map(domidArg);
    if (!r.core.domains.has(a) || !r.core.domains.has(b)) fail('ENOENT');
    r.core.targets.set(a, b);
    return OK;
  },

  [XsType.CONTROL](r) {
    priv(r);
    const strings = getStrings(r.msg);
    if (strings.length === 0) fail('EINVAL');
    const reply = doControl(r.core, r.conn, strings, r.msg.reqId);
    return reply === null ? null : Buffer.from(reply + '\0');
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
    if (e instanceof XsdError && e.setsErrno) core.errno = e.errName;
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
  if (result === null) return;
  if (Buffer.isBuffer(result)) conn.send(msg.type, msg.reqId, msg.txId, result);
  else { conn.send(msg.type, msg.reqId, msg.txId, result.reply); result.after(); core.persist(); }
}
