// Node permissions: entry 0 is the owner and the default for unlisted domains; later entries
// grant per-domain access. The wire form is `<n|r|w|b><domid>`.

import { strtol } from '../../formats/libc/strtol.ts';
import { failErrno } from './errors.ts';

export const PERM_NONE = 0, PERM_READ = 1, PERM_WRITE = 2, PERM_OWNER = 8;
export const PERM_ALL = PERM_READ | PERM_WRITE | PERM_OWNER;

export interface Perm { readonly id: number; readonly bits: number }

const LETTER_BITS: Record<string, number> = { n: PERM_NONE, r: PERM_READ, w: PERM_WRITE, b: PERM_READ | PERM_WRITE };
const BITS_LETTER = ['n', 'r', 'w', 'b'];
/** XS_PERM_IGNORE: the entry names a domain that did not exist when it was set. */
export const PERM_IGNORE = 16;

/**
 * xs_strings_to_perms: a letter, then strtol(.., 0) into an unsigned int (so `-1` is
 * 4294967295 and an out-of-range number wraps); nothing may follow the number.
 */
export function parsePerm(s: string): Perm {
  const bits = LETTER_BITS[s[0]];
  if (bits === undefined) failErrno('EINVAL');
  const n = strtol(s.slice(1), 0);
  if (n.end === 0 || n.end !== s.length - 1) failErrno('EINVAL');
  return { id: Number(BigInt.asUintN(32, n.value)), bits };
}

/** As C prints an entry: the id as a signed int. */
export function formatPerm(p: Perm): string {
  return BITS_LETTER[p.bits & 3] + String(p.id | 0);
}

export interface Caller { readonly domid: number; readonly privileged: boolean; readonly target?: number }

/** perm_for_conn: what `caller` may do on a node with these permissions. */
export function permFor(caller: Caller, perms: readonly Perm[]): number {
  if (caller.privileged) return PERM_ALL;
  const owner = perms[0].id;
  if (owner === caller.domid || (caller.target !== undefined && owner === caller.target)) return PERM_ALL;
  for (let i = 1; i < perms.length; i++) {
    if (perms[i].bits & PERM_IGNORE) continue;
    const id = perms[i].id;
    if (id === caller.domid || (caller.target !== undefined && id === caller.target)) return perms[i].bits;
  }
  return perms[0].bits;
}
