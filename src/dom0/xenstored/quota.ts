// C xenstored 4.17 default quotas. They bind unprivileged domains only.

export const quota = {
  /** -E: nodes owned by one domain (ENOSPC). */
  nodes: 1000,
  /** -W: watches per domain; the check is "more than" (E2BIG). */
  watches: 128,
  /** -t: open transactions per connection; the check is "more than" (ENOSPC). */
  transactions: 10,
  /** -Q transaction-nodes: nodes touched by one transaction (ENOSPC). */
  transactionNodes: 1024,
  /** -S: node size, header + permissions + value + children (ENOSPC). */
  nodeSize: 2048,
  /** -M: path length beyond the domain's home prefix (EINVAL). */
  pathMax: 2048,
  /** -A: permission entries per node (ENOSPC). */
  permissions: 5,
  /** -Q outstanding: requests in flight (back-pressure, not an error). */
  outstanding: 20,
  /** -Q memory: bytes accounted to a domain (ENOMEM, and its ring is no longer read). */
  memory: 2621440,
  /** -q memory: the soft limit, only logged. */
  memorySoft: 2097152,
};

/** Size of a node record as C xenstored stores it (a 24-byte header, 8 bytes a permission). */
export function nodeSize(valueLen: number, nperms: number, children: readonly string[]): number {
  let childLen = 0;
  for (const c of children) childLen += c.length + 1;
  return 24 + 8 * nperms + valueLen + childLen;
}

/** What a node costs its owner's memory quota: its record and its key (the path). */
export function nodeMemory(path: string, node: { value: Buffer; perms: readonly unknown[]; children: readonly string[] }): number {
  return path.length + nodeSize(node.value.length, node.perms.length, node.children);
}

const DEFAULTS = { ...quota };

/** A new xenstored process (a live update) starts from the defaults again. */
export function resetQuota(): void { Object.assign(quota, DEFAULTS); }
