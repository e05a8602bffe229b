// libxl's checks on a new domain name (libxl__domain_rename, used by create and rename). libxl
// takes any string as a name, even '' or one holding '/' or '..': it only needs a non-empty name
// to be unique, and the name to fit in the xenstore writes that record it. libxenstore refuses a
// request longer than XENSTORE_PAYLOAD_MAX with E2BIG before sending it, so a name too long for
// `<dompath>/name` fails there. The toolstack runs these checks before it builds or sends anything.
// Names reach file names only through xenconsoled, which confines them itself.
import { XS_PAYLOAD_MAX } from '../../formats/xenstore-wire.ts';
import { LibxlError } from './errors.ts';

/** Would xs_write(path, value) fit in one request (path NUL value)? */
function fitsWrite(path: string, value: string): boolean {
  return Buffer.byteLength(path) + 1 + Buffer.byteLength(value) <= XS_PAYLOAD_MAX;
}

/** libxl's log line when writing `<dompath>/name` fails; `oldName` is null at creation (printf's "(null)"). */
function nameWriteFailed(domid: number, newName: string, oldName: string | null): string {
  return `libxl: error: libxl_domain.c:107:libxl__domain_rename: Domain ${domid}:Failed to write new name \`${newName}' for domain previously named \`${oldName ?? '(null)'}'`;
}

/** libxl__domain_make: the name must fit `/local/domain/<domid>/name`, else xl create exits 3. */
export function checkNewDomainName(domid: number, name: string): void {
  if (fitsWrite(`/local/domain/${domid}/name`, name)) return;
  throw new LibxlError('E2BIG', `${nameWriteFailed(domid, name, null)}\n` +
    `libxl: error: libxl_create.c:1294:initiate_domain_create: Domain ${domid}:cannot make domain: -3`, 3);
}

/**
 * libxl_domain_rename: the name must fit `/local/domain/<domid>/name` and then `/vm/<uuid>/name`
 * (a checked write there, unlike at creation); xl rename then says it can't, exit 1.
 */
export function checkRename(domid: number, uuid: string, oldName: string, newName: string, q: string): void {
  const vmName = `/vm/${uuid}/name`;
  const why = !fitsWrite(`/local/domain/${domid}/name`, newName) ? nameWriteFailed(domid, newName, oldName)
    : !fitsWrite(vmName, newName) ? `libxl: error: libxl_xshelp.c:230:libxl__xs_write_checked: xenstore write failed: \`${vmName}' = \`${newName}': Argument list too long`
    : null;
  if (why !== null) throw new LibxlError('E2BIG', `${why}\nCan't rename domain '${q}'.`, 1);
}
