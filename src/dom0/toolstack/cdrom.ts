// An HVM guest's CD-ROM drives (libxl_disk.c): QEMU emulates them as IDE drives, so libxl gives
// them a qdisk backend (backend/qdisk/<domid>/<devid>, which no PV backend connects and nothing
// waits for) and the guest's blkfront leaves them to the emulated drive. libxl_cdrom_insert
// (xl cd-insert / cd-eject) empties the drive in xenstore, has QEMU change the medium, and
// writes the new params (`aio:<file>`, or nothing when ejecting) and the stored config.
import { closeSync, openSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { LibxlError } from './errors.ts';
import { backendPath, removeDeviceNodes, writeDevice, type DiskSpec } from './devices.ts';
import { vdevToDevid } from './device-ids.ts';
import type { Toolstack } from './toolstack.ts';

/** The params libxl writes for a qdisk: the format's driver (raw and empty are "aio") and the file. */
function qdiskParams(disk: DiskSpec): string {
  return `${disk.format === 'qcow2' || disk.format === 'qcow' || disk.format === 'vhd' || disk.format === 'qed' ? disk.format : 'aio'}:${disk.pdev_path ?? ''}`;
}

export async function addEmulatedCdrom(ts: Toolstack, domid: number, devid: number, disk: DiskSpec): Promise<void> {
  disk.backend = 'qdisk';
  const back: Record<string, string> = {
    params: qdiskParams(disk), removable: String(disk.removable ?? 0), bootable: '1', dev: disk.vdev, type: 'qdisk',
    mode: disk.readwrite ? 'w' : 'r', 'device-type': 'cdrom', 'discard-enable': disk.readwrite ? '1' : '0', specification: 'xen',
  };
  await writeDevice(ts.xs, 'vbd', domid, devid, back, { 'virtual-device': String(devid), 'device-type': 'cdrom', trusted: '1' }, {}, 'qdisk');
  ts.platform.changeMedium(domid, devid, disk.pdev_path ? disk.pdev_path : null);
}

/** The drive's nodes go (no PV backend has to close it); QEMU's drive is left without a medium. */
export async function removeEmulatedCdrom(ts: Toolstack, domid: number, devid: number): Promise<void> {
  ts.platform.changeMedium(domid, devid, null);
  await removeDeviceNodes(ts.xs, domid, devid, 'vbd', 'qdisk');
}

const fail = (domid: number, line: string, msg: string) => new LibxlError('EINVAL', `libxl: error: libxl_disk.c:${line}: Domain ${domid}:${msg}`, 1);

/** libxl_cdrom_insert: `target` '' ejects. A relative file is relative to xl's directory (libxl runs in xl). */
export async function insertCdrom(ts: Toolstack, domid: number, vdev: string, target: string, format: string, cwd?: string): Promise<void> {
  if (!ts.exists(domid)) throw new LibxlError('ENODOM', `libxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=${domid}`, 1);
  // Domain-0 has no record here: it is a PV domain.
  const rec = ts.records.get(domid);
  if (rec?.type !== 'hvm') throw fail(domid, '838:libxl_cdrom_insert', 'cdrom-insert requires an HVM domain');
  const disk: DiskSpec | undefined = (rec.config.disks ?? []).find((d: DiskSpec) => d.is_cdrom && d.vdev === vdev);
  const devid = vdevToDevid(vdev);
  if (!disk || devid === undefined) throw fail(domid, '866:libxl_cdrom_insert', 'Virtual device not found');
  const be = backendPath('qdisk', domid, devid), lx = `/libxl/${domid}/device/vbd/${devid}`;
  const xs = ts.xs;
  const setParams = (params: string) => xs.transaction(async tx => {
    for (const dir of [be, lx]) { await xs.write(`${dir}/type`, 'qdisk', tx); await xs.write(`${dir}/params`, params, tx); }
  });
  // The drive is emptied first, then the new medium opened and handed to QEMU.
  await setParams('');
  const file = target && !isAbsolute(target) && cwd ? join(cwd, target) : target;
  if (file) {
    try { closeSync(openSync(file, 'r')); } catch (e: any) {
      throw fail(domid, '1039:cdrom_insert_ejected', `Failed to open cdrom file ${file}: ${e.code === 'EACCES' ? 'Permission denied' : 'No such file or directory'}`);
    }
  }
  ts.platform.changeMedium(domid, devid, file || null);
  const before = { pdev_path: disk.pdev_path, format: disk.format };
  Object.assign(disk, { pdev_path: target, format: target ? format : 'empty' });
  ts.commitOrUndo(domid, () => Object.assign(disk, before));
  if (file) await setParams(qdiskParams({ ...disk, pdev_path: file }));
}
