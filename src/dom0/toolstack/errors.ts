// Dom0's failures (libxl's, as ERROR_* codes are libxl's own): the error type every toolstack
// operation throws, and the texts libxl and xl print for the common ones. The daemon turns a
// LibxlError into the control protocol's error in one place; Dom0 knows nothing of the protocol.

/** A failed toolstack operation: an errno-like code, the stderr text, and the exit status xl gives it. */
export class LibxlError extends Error {
  constructor(readonly code: string, message: string, readonly exitCode = 1) { super(message); }
}

/** The texts shared by several operations (an operation's own failures sit with it). */
export const err = {
  invalidDomain: (q: string) => new LibxlError('EINVALDOM', `${q} is an invalid domain identifier (rc=-6)`, 1),
  noSuchDomain: (q: string) => new LibxlError('ENODOM', `Error: Domain '${q}' does not exist.`, 1),
  duplicateName: (domid: number, name: string) => new LibxlError('EEXIST',
    `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${domid}:Domain with name "${name}" already exists.\n` +
    `libxl: error: libxl_create.c:1294:initiate_domain_create: Domain ${domid}:cannot make domain: -6`, 3),
  outOfMemory: (domid: number) => new LibxlError('ENOMEM',
    `xc: error: panic: xg_dom_boot.c:95: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory\n` +
    `libxl: error: libxl_dom.c:586:libxl__build_dom: xc_dom_boot_mem_init failed: Cannot allocate memory\n` +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -3`, 3),
  destroyMissing: (domid: number) => new LibxlError('ENODOM',
    `libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain ${domid}:Non-existant domain\n` +
    `libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain ${domid}:Unable to destroy guest\n` +
    `libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain ${domid}:Destruction of domain failed\n` +
    `destroy failed (rc=-21)`, 1),
  destroyDom0: () => new LibxlError('EPERM', 'Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n', 1),
  pauseMissing: (domid: number, what: 'Pausing' | 'Unpausing') => new LibxlError('ENODOM',
    `libxl: error: libxl_domain.c:${what === 'Pausing' ? 587 : 620}:libxl_domain_${what === 'Pausing' ? 'pause' : 'unpause'}: Domain ${domid}:${what} domain: No such process`, 0),
  /** XEN_DOMCTL_pausedomain refuses the caller's own domain (EINVAL); xl ignores libxl's failure and exits 0. */
  pauseSelf: (domid: number) => new LibxlError('EINVAL',
    `libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain ${domid}:Pausing domain: Invalid argument`, 0),
  shutdownNoAck: (action: string) => new LibxlError('ETIMEDOUT',
    `libxl: error: libxl_domain.c:853:pvcontrol_cb: guest didn't acknowledge control request: -9\n${action} failed (rc=-9)`, 1),
  noParavirt: (action: 'shutdown' | 'reboot') => new LibxlError('ENOPARAVIRT',
    `PV control interface not available: external graceful shutdown not possible.\nUse "-F" to fallback to ACPI ${action === 'reboot' ? 'reset' : 'power'} event.\n${action} failed (rc=-10)`, 1),
  /** A hypfs write of /params/<name> failed: ENOENT for a name that is no runtime parameter, EINVAL for a bad value. */
  setParameters: (errno: 'ENOENT' | 'EINVAL', params: string) => new LibxlError(errno,
    `libxl: error: libxl.c:706:libxl_set_parameters: setting parameters: ${errno === 'ENOENT' ? 'No such file or directory' : 'Invalid argument'}\ncannot set parameters: ${params}`, 1),
  renameDup: (domid: number, name: string, q: string) => new LibxlError('EEXIST',
    `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${domid}:Domain with name "${name}" already exists.\nCan't rename domain '${q}'.`, 1),
};
