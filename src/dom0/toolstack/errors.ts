// The failure texts libxl and xl print, in one place. Each builder returns the stderr text and
// the exit code xl uses for it.
import { ToolError } from '../../protocol/wire.ts';

export const err = {
  invalidDomain: (q: string) => new ToolError('EINVALDOM', `${q} is an invalid domain identifier (rc=-6)`, 1),
  noSuchDomain: (q: string) => new ToolError('ENODOM', `Error: Domain '${q}' does not exist.`, 1),
  duplicateName: (domid: number, name: string) => new ToolError('EEXIST',
    `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${domid}:Domain with name "${name}" already exists.\n` +
    `libxl: error: libxl_create.c:1294:initiate_domain_create: Domain ${domid}:cannot make domain: -6`, 3),
  outOfMemory: (domid: number) => new ToolError('ENOMEM',
    `xc: error: panic: xg_dom_boot.c:95: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory\n` +
    `libxl: error: libxl_dom.c:586:libxl__build_dom: xc_dom_boot_mem_init failed: Cannot allocate memory\n` +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -3`, 3),
  destroyMissing: (domid: number) => new ToolError('ENODOM',
    `libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain ${domid}:Non-existant domain\n` +
    `libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain ${domid}:Unable to destroy guest\n` +
    `libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain ${domid}:Destruction of domain failed\n` +
    `destroy failed (rc=-21)`, 1),
  destroyDom0: () => new ToolError('EPERM', 'Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n', 1),
  pauseMissing: (domid: number, what: 'Pausing' | 'Unpausing') => new ToolError('ENODOM',
    `libxl: error: libxl_domain.c:${what === 'Pausing' ? 587 : 620}:libxl_domain_${what === 'Pausing' ? 'pause' : 'unpause'}: Domain ${domid}:${what} domain: No such process`, 0),
  /** XEN_DOMCTL_pausedomain refuses the caller's own domain (EINVAL); xl ignores libxl's failure and exits 0. */
  pauseSelf: (domid: number) => new ToolError('EINVAL',
    `libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain ${domid}:Pausing domain: Invalid argument`, 0),
  shutdownNoAck: (action: string) => new ToolError('ETIMEDOUT',
    `libxl: error: libxl_domain.c:853:pvcontrol_cb: guest didn't acknowledge control request: -9\n${action} failed (rc=-9)`, 1),
  noParavirt: (action: 'shutdown' | 'reboot') => new ToolError('ENOPARAVIRT',
    `PV control interface not available: external graceful shutdown not possible.\nUse "-F" to fallback to ACPI ${action === 'reboot' ? 'reset' : 'power'} event.\n${action} failed (rc=-10)`, 1),
  /** A hypfs write of /params/<name> failed: ENOENT for a name that is no runtime parameter, EINVAL for a bad value. */
  setParameters: (errno: 'ENOENT' | 'EINVAL', params: string) => new ToolError(errno,
    `libxl: error: libxl.c:706:libxl_set_parameters: setting parameters: ${errno === 'ENOENT' ? 'No such file or directory' : 'Invalid argument'}\ncannot set parameters: ${params}`, 1),
  renameDup: (domid: number, name: string, q: string) => new ToolError('EEXIST',
    `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${domid}:Domain with name "${name}" already exists.\nCan't rename domain '${q}'.`, 1),
};
