// libxl__build_pv opens a PV guest's kernel and ramdisk (xc_dom_kernel_file, xc_dom_module_file)
// before it builds anything: a file it cannot open fails the create with libxc's and libxl's lines.
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

/** Check what libxl__build_pv opens; throws the failed create's messages (xl exits 3). */
export function checkPvBootFiles(domid: number, o: { kernel?: string; ramdisk?: string; cwd?: string }): void {
  const files: [string | undefined, string, number][] = [[o.kernel, 'xc_dom_kernel_file', 646], [o.ramdisk, 'xc_dom_ramdisk_file', 659]];
  for (const [path, what, line] of files) {
    if (!path) continue;
    const why = openError(path, o.cwd);
    if (why === undefined) continue;
    throw new LibxlError('ENOENT',
      `xc: error: panic: xg_dom_core.c:205: failed to open file '${path}': ${why}: Internal error\n` +
      `libxl: error: libxl_dom.c:${line}:libxl__build_pv: ${what} failed: ${why}\n` +
      `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -3`, 3);
  }
}
