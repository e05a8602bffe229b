// xenlab's DRBD resource file, $XENLAB_HOME/drbd.d/<resource>.res on each of the two hosts (the
// part of /etc/drbd.d/<resource>.res that Remus needs, one setting a line):
//
//   protocol D              # Remus's checkpointed replication (block-drbd-probe insists on it)
//   disk /srv/xen/r0.img    # this host's backing file
//   peer /srv/xenlab-b      # the other host: its XENLAB_HOME
//
// '#' starts a comment; blank lines are ignored.

export interface DrbdResource {
  protocol: string | null;
  /** This host's copy: the backing file. */
  disk: string | null;
  /** The peer host (its XENLAB_HOME), where its replication socket is. */
  peer: string | null;
}

const KEYS = ['protocol', 'disk', 'peer'] as const;

/** The settings, or the first line that is not one (as drbdadm's parser would refuse it). */
export function parseDrbdResource(text: string): DrbdResource | { error: string } {
  const r: DrbdResource = { protocol: null, disk: null, peer: null };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^(\S+)\s+(\S.*)$/.exec(line);
    const key = m?.[1] as (typeof KEYS)[number] | undefined;
    if (!m || !key || !KEYS.includes(key)) return { error: `line ${i + 1}: expected one of ${KEYS.join(', ')} and a value` };
    r[key] = m[2]!.replace(/;$/, '').trim();
  }
  return r;
}

/** A resource name usable as a file name: drbdadm's names never hold a slash. */
export function validResourceName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(name) && name.length <= 64;
}
