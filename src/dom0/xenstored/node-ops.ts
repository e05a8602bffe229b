// Node operations shared by the request handlers and domain clean-up: permission checks with
// C xenstored's error hiding, creation with inherited permissions, recursive removal.
// Every change is reported to `events` for the caller to fire now or at commit.

import { EMPTY_VALUE } from './value-bytes.ts';
import { fail, failErrno, type XsdErrorName } from './errors.ts';
import { basename, childPath, isValidNodename, parentOf } from './path.ts';
import { PERM_OWNER, PERM_WRITE, permFor, type Caller, type Perm } from './perms.ts';
import { nodeMemory, nodeSize, quota } from './quota.ts';
import type { NodeView, XsNode } from './store.ts';
import type { PendingEvent } from './transaction.ts';

function limited(c: Caller): boolean { return !c.privileged; }

/** The nearest existing ancestor's permissions decide whether a failure may say ENOENT. */
function accessError(view: NodeView, caller: Caller, path: string, err: 'ENOENT' | 'EACCES', perm: number): XsdErrorName {
  let p = path;
  let node: XsNode | undefined;
  do {
    p = parentOf(p);
    node = view.get(p);
  } while (!node && p !== '/');
  return node && (permFor(caller, node.perms) & perm) ? err : 'EACCES';
}

/** get_node: the node, if it exists and `caller` has `perm` on it. */
export function getNode(view: NodeView, caller: Caller, path: string, perm: number): XsNode {
  const node = view.get(path);
  // Every stored node's name was checked when it was created: only a miss needs the check.
  if (!node && !isValidNodename(path)) failErrno('EINVAL');
  if (node && (permFor(caller, node.perms) & perm) === perm) return node;
  return failErrno(accessError(view, caller, path, node ? 'EACCES' : 'ENOENT', perm));
}

/**
 * Like getNode for writing, but a missing node (that the caller could create) is undefined.
 * Worked out without throwing: writing a new node is the common case, not a failure.
 */
export function getNodeForWrite(view: NodeView, caller: Caller, path: string): XsNode | undefined {
  const node = view.get(path);
  if (node) {
    if ((permFor(caller, node.perms) & PERM_WRITE) === PERM_WRITE) return node;
    return failErrno(accessError(view, caller, path, 'EACCES', PERM_WRITE));
  }
  if (!isValidNodename(path)) failErrno('EINVAL');
  const err = accessError(view, caller, path, 'ENOENT', PERM_WRITE);
  return err === 'ENOENT' ? undefined : failErrno(err);
}

function checkSize(caller: Caller, value: Buffer, perms: readonly Perm[], children: readonly string[]): void {
  if (limited(caller) && nodeSize(value.length, perms.length, children) >= quota.nodeSize) failErrno('ENOSPC');
}

/**
 * The memory quota binds the node's owner, whoever writes: a record that would take an
 * unprivileged owner to the limit is refused (ENOMEM), as C's domain_memory_add does.
 */
function checkMemory(view: NodeView, path: string, n: Omit<XsNode, 'generation'>, old: XsNode | undefined): void {
  const owner = n.perms[0].id;
  if (owner === 0) return;
  const freed = old && old.perms[0].id === owner ? nodeMemory(path, old) : 0;
  if (view.memoryOf(owner) - freed + nodeMemory(path, n) >= quota.memory) failErrno('ENOMEM');
}

function putNode(view: NodeView, caller: Caller, path: string, n: Omit<XsNode, 'generation'>, old: XsNode): void {
  checkSize(caller, n.value, n.perms, n.children);
  checkMemory(view, path, n, old);
  view.put(path, n);
}

/** Creates `path` and any missing parents (with empty values). */
export function createNode(view: NodeView, caller: Caller, path: string, value: Buffer): void {
  const missing: string[] = [];
  let p = path;
  let parent: XsNode | undefined;
  for (;;) {
    missing.push(p);
    p = parentOf(p);
    parent = view.get(p);
    if (parent) break;
  }
  // A new node copies its parent's permissions; an unprivileged creator becomes the owner.
  // Permission lists are never changed in place: an unchanged one is shared with the parent.
  const perms: readonly Perm[] = limited(caller) ? [{ id: caller.domid, bits: parent.perms[0].bits }, ...parent.perms.slice(1)] : parent.perms;
  if (limited(caller) && view.ownedBy(caller.domid) + missing.length > quota.nodes) failErrno('ENOSPC');
  // Check every record before writing any, so a refused request changes nothing.
  const records: [string, Omit<XsNode, 'generation'>][] = [
    [p, { ...parent, children: [...parent.children, basename(missing[missing.length - 1])] }],
  ];
  for (let i = missing.length - 1; i >= 0; i--) {
    const children = i > 0 ? [basename(missing[i - 1])] : [];
    records.push([missing[i], { value: i === 0 ? value : EMPTY_VALUE, perms, children }]);
  }
  for (const [, n] of records) checkSize(caller, n.value, n.perms, n.children);
  for (const [rp, n] of records) checkMemory(view, rp, n, rp === p ? parent : undefined);
  for (const [rp, n] of records) view.put(rp, n);
}

/** Returns true if the node was created (C's lookup missed it first, leaving errno ENOENT). */
export function doWrite(view: NodeView, caller: Caller, path: string, value: Buffer, events: PendingEvent[]): boolean {
  const node = getNodeForWrite(view, caller, path);
  if (node) putNode(view, caller, path, { value, perms: node.perms, children: node.children }, node);
  else createNode(view, caller, path, value);
  events.push({ path, exact: false });
  return !node;
}

/** Returns true if the node was created. */
export function doMkdir(view: NodeView, caller: Caller, path: string, events: PendingEvent[]): boolean {
  if (getNodeForWrite(view, caller, path)) return false;
  createNode(view, caller, path, Buffer.alloc(0));
  events.push({ path, exact: false });
  return true;
}

/**
 * Removes `path` and its subtree, children first as C xenstored walks it: each removed
 * descendant fires only watches set exactly on it, and the root, last, fires as a change.
 */
export function removeTree(view: NodeView, path: string, node: XsNode, events: PendingEvent[]): void {
  const parentPath = parentOf(path);
  const parent = view.get(parentPath);
  if (parent) {
    const name = basename(path);
    view.put(parentPath, { ...parent, children: parent.children.filter(c => c !== name) });
  }
  const walk = (p: string, n: XsNode): void => {
    for (const c of n.children) {
      const cp = childPath(p, c);
      const cn = view.get(cp);
      if (cn) walk(cp, cn);
    }
    view.del(p);
    events.push({ path: p, exact: p !== path, oldPerms: n.perms });
  };
  walk(path, node);
}

/** Returns true if there was no such node (C's lookup missed it, leaving errno ENOENT). */
export function doRm(view: NodeView, caller: Caller, path: string, events: PendingEvent[]): boolean {
  const node = getNodeForWrite(view, caller, path);
  if (!node) {
    // Removing what is already gone is fine, as long as its parent is there.
    if (view.get(parentOf(path))) return true;
    failErrno('ENOENT');
  }
  if (path === '/') fail('EINVAL');
  removeTree(view, path, node, events);
  return false;
}

export function doSetPerms(view: NodeView, caller: Caller, path: string, perms: Perm[], events: PendingEvent[]): void {
  const node = getNode(view, caller, path, PERM_WRITE | PERM_OWNER);
  // Unprivileged domains may not give a node away.
  if (limited(caller) && perms[0].id !== node.perms[0].id) fail('EPERM');
  putNode(view, caller, path, { value: node.value, perms, children: node.children }, node);
  events.push({ path, exact: false, oldPerms: node.perms });
}
