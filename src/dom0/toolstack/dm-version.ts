// Which device model an HVM guest gets and which firmware it may boot, as libxl 4.17 decides:
// qemu-xen (the default, Debian's QEMU) runs SeaBIOS or OVMF; qemu-xen-traditional, the default
// only with a stub domain, runs ROMBIOS alone. Debian's Xen 4.17 ships no qemu-xen-traditional
// (its qemu-dm is not built), so a guest asking for it passes the checks and fails where libxl
// spawns the device model, as on a Debian host.
import { LibxlError } from './errors.ts';

/** Where libxl__domain_device_model looks for qemu-xen-traditional (libxl's private bindir). */
const QEMU_DM = '/usr/lib/xen-4.17/bin/qemu-dm';

type BuildInfo = Record<string, any>;

function traditional(b: BuildInfo): boolean {
  return b.device_model_version ? b.device_model_version === 'qemu_xen_traditional' : b.device_model_stubdomain === 'True';
}

/** libxl__domain_build_info_setdefault: the firmware must suit the device model (before any domain is made). */
export function checkHvmFirmware(type: string, b: BuildInfo): void {
  if (type !== 'hvm') return;
  const trad = traditional(b);
  const bios: string = b['type.hvm']?.bios ?? (trad ? 'rombios' : 'seabios');
  const refusal = trad
    ? bios !== 'rombios' && 'libxl_create.c:153:libxl__domain_build_info_setdefault: qemu-xen-traditional requires bios=rombios.'
    : bios === 'rombios' && 'libxl_create.c:159:libxl__domain_build_info_setdefault: qemu-xen does not support bios=rombios.';
  if (!refusal) return;
  throw new LibxlError('EINVAL', `libxl: error: ${refusal}\n` +
    'libxl: error: libxl_create.c:1239:libxl__domain_config_setdefault: Unable to set domain build info defaults', 6);
}

/** libxl__spawn_local_dm: qemu-xen-traditional's binary is not there (the domain was built; the create fails). */
export function checkDeviceModelBinary(domid: number, type: string, b: BuildInfo): void {
  if (type !== 'hvm' || !traditional(b)) return;
  throw new LibxlError('ENOENT', [
    `libxl: error: libxl_dm.c:2909:libxl__spawn_local_dm: Domain ${domid}:device model ${QEMU_DM} is not executable: No such file or directory`,
    // spawn.what is set only after the check, so glibc prints the NULL as "(null)".
    `libxl: error: libxl_dm.c:3158:device_model_spawn_outcome: Domain ${domid}:(null): spawn failed (rc=-3)`,
    `libxl: error: libxl_create.c:1894:domcreate_devmodel_started: Domain ${domid}:device model did not start: -3`,
  ].join('\n'), 3);
}
