// Node permissions: entry 0 is the owner and the default for unlisted domains; later entries
// grant per-domain access. The wire form is `<n|r|w|b><domid>`.

import { fail } from './errors.ts';

export const PERM_NONE = 0, PERM_READ = 1, PERM_WRITE = 2, PERM_OWNER = 8;
export const PERM_ALL = PERM_READ | PERM_WRITE | PERM_OWNER;

export interface Perm { readonly id: number; readonly bits: number }

const LETTER_BITS: Record<string, number> = { n: PERM_NONE, r: PERM_READ, w: PERM_WRITE, b: PERM_READ | PERM_WRITE };
const BITS_LETTER = ['n', 'r', 'w', 'b'];

/** Parses like strtol(s, &end, 0): 0x.. hex, leading 0 octal; trailing garbage is invalid. */
function parseDomid(s: string): number {
  let m: RegExpExecArray | null;
  let v: number;
  if ((m = /^[+]?0[xX]([0-9a-fA-F]+)$/.exec(s))) v = parseInt(m[1], 16);
  else if ((m = /^[+]?0([0-7]*)$/.exec(s))) v = m[1] ? parseInt(m[1], 8) : 0;
  else if ((m = /^[+]?([1-9][0-9]*)$/.exec(s))) v = parseInt(m[1], 10);
  else fail('EINVAL');
  if (v > 0xffff) fail('EINVAL');
  return v;
}

export function parsePerm(s: string): Perm {
  const bits = LETTER_BITS[s[0]];
  if (bits === undefined) fail('EINVAL');
  return { id: parseDomid(s.slice(1)), bits };
}

export function formatPerm(p: Perm): string {
  return BITS_LETTER[p.bits & 3] + String(p.id);
}

export interface Caller { readonly domid: number; readonly privileged: boolean; readonly target?: number }

/** perm_for_conn: what `caller` may do on a node with these permissions. */
export function permFor(caller: Caller, perms: readonly Perm[]): number {
  if (caller.privileged) return PERM_ALL;
  const owner = perms[0].id;
  if (owner === caller.domid || (caller.target !== undefined && owner === caller.target)) return PERM_ALL;
  for (let i = 1; i < perms.length; i++) {
    const id = perms[i].id;
    if (id === caller.domid || (caller.target !== undefined && id === caller.target)) return perms[i].bits;
  }
  return perms[0].bits;
}
