// Node names (C xenstored's is_valid_nodename and canonicalize).

import { XS_REL_PATH_MAX } from '../../formats/xenstore-wire.ts';

const VALID_CHARS = /^[A-Za-z0-9\-/_@]*$/;
// sscanf's %5u: at most five characters, a sign included.
const DOMAIN_PREFIX = /^\/local\/domain\/(?:[-+]\d{1,4}|\d{1,5})\//;

export function homePath(domid: number): string { return `/local/domain/${domid}`; }

/** Relative names live under the connection's home; absolute and `@special` names stay. */
export function canonicalize(home: string, name: string): string {
  if (name.startsWith('/') || name.startsWith('@')) return name;
  return `${home}/${name}`;
}

export function isValidNodename(p: string): boolean {
  if (!p.startsWith('/')) return false;
  if (p.length > 1 && p.endsWith('/')) return false;
  if (p.includes('//')) return false;
  if (!VALID_CHARS.test(p)) return false;
  // The path-max quota counts only what follows a domain's home prefix.
  const m = DOMAIN_PREFIX.exec(p);
  const localOff = m ? m[0].length : 0;
  return p.length <= localOff + XS_REL_PATH_MAX;
}

export function isSpecial(p: string): boolean { return p.startsWith('@'); }

export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function basename(p: string): string { return p.slice(p.lastIndexOf('/') + 1); }

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** True if `p` is `w` or below it. */
export function isAtOrBelow(p: string, w: string): boolean {
  if (p === w || w === '/') return true;
  return p.length > w.length && p.startsWith(w) && p.charCodeAt(w.length) === 47;
}
