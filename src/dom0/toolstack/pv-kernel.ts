// libxl__build_pv opens a PV guest's kernel and ramdisk (xc_dom_kernel_file, xc_dom_module_file)
// before it builds anything, and libxl__build_hvm a PVH guest's (libxl__domain_firmware): a file
// it cannot open fails the create with libxc's and libxl's lines.
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { LibxlError } from './errors.ts';
import { DOM0_BOOT_FILES } from '../dom0-kernel.ts';

/** strerror for the errors open(2) gives on a path that names no readable file. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
};

/** Why open(path, O_RDONLY) fails, or undefined when it succeeds. Relative paths are xl's, from its directory. */
function openError(path: string, cwd: string | undefined): string | undefined {
  if (DOM0_BOOT_FILES.has(path)) return undefined;
  try { closeSync(openSync(cwd ? resolve(cwd, path) : path, 'r')); return undefined; } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ENOENT';
    return STRERROR[code] ?? code;
  }
}

/**
 * Where each builder logs a file it cannot open: its function, the lines of its kernel and
 * ramdisk messages, what libxl__build_hvm adds, and the code domcreate_rebuild_done gets (PV's
 * ERROR_FAIL; for PVH libxc's own -1 comes through).
 */
const BUILDERS = {
  pv: { fn: 'libxl__build_pv', kernelLine: 646, ramdiskLine: 659, then: '', rc: -3 },
  pvh: { fn: 'libxl__domain_firmware', kernelLine: 909, ramdiskLine: 926, then: 'libxl: error: libxl_dom.c:1075:libxl__build_hvm: initializing domain firmware failed\n', rc: -1 },
} as const;

/** Check the kernel and ramdisk a PV or PVH build opens; throws the failed create's messages (xl exits 3). */
export function checkBootFiles(domid: number, type: 'pv' | 'pvh', o: { kernel?: string; ramdisk?: string; cwd?: string }): void {
  const b = BUILDERS[type];
  const files: [string | undefined, string, number][] = [[o.kernel, 'xc_dom_kernel_file', b.kernelLine], [o.ramdisk, 'xc_dom_ramdisk_file', b.ramdiskLine]];
  for (const [path, what, line] of files) {
    if (!path) continue;
    const why = openError(path, o.cwd);
    if (why === undefined) continue;
    throw new LibxlError('ENOENT',
      `xc: error: panic: xg_dom_core.c:205: failed to open file '${path}': ${why}: Internal error\n` +
      `libxl: error: libxl_dom.c:${line}:${b.fn}: ${what} failed: ${why}\n${b.then}` +
      `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: ${b.rc}`, 3);
  }
}
