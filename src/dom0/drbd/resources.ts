// The DRBD resources this host knows: $XENLAB_HOME/drbd.d/<name>.res (what drbdadm reads from
// /etc/drbd.d on a real host). A name is only ever looked up as a file name in that folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDrbdResource, validResourceName, type DrbdResource } from '../../formats/drbd/resource.ts';

export class DrbdResources {
  /** `peerSocket`: where the DRBD model of the host with that XENLAB_HOME listens. */
  constructor(readonly dir: string, readonly peerSocket: (home: string) => string) {}

  /** The resource's settings; null when this host defines no such resource; an error text when its file is not one. */
  get(name: string): DrbdResource | null | { error: string } {
    if (!validResourceName(name)) return null;
    let text: string;
    try { text = readFileSync(join(this.dir, `${name}.res`), 'utf8'); } catch { return null; }
    return parseDrbdResource(text);
  }

  /** The backing file of a resource ready to be attached here, or why not (drbdadm's words). */
  disk(name: string): { path: string } | { error: string } {
    const r = this.get(name);
    if (!r) return { error: `'${name}' not defined in your config (for this host).` };
    if ('error' in r) return { error: `${join(this.dir, `${name}.res`)}: ${r.error}` };
    if (!r.disk) return { error: `${name}: no disk defined for this host.` };
    return { path: r.disk };
  }
}

/** A vbd attached through block-drbd: the backing file its hotplug script found; null for any other vbd. */
export async function drbdDevice(xs: { read(path: string): Promise<string> }, be: string): Promise<string | null> {
  if (!(await xs.read(`${be}/script`).catch(() => '')).endsWith('/block-drbd')) return null;
  return xs.read(`${be}/physical-device-path`).catch(() => null);
}
