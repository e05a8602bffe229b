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
  /** -Q memory: bytes per domain (ENOMEM); not enforced here, reported by CONTROL quota. */
  memory: 2621440,
};

/** On-disk size of a node record as xenstored counts it (header is 20 bytes, a perm 8). */
export function nodeSize(valueLen: number, nperms: number, children: readonly string[]): number {
  let childLen = 0;
  for (const c of children) childLen += c.length + 1;
  return 20 + 8 * nperms + valueLen + childLen;
}
