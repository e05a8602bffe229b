// Linux/Xen virtual device numbers for disks (libxl__device_disk_dev_number).
export function vdevToDevid(vdev: string): number | undefined {
  let m = /^xvd([a-z]+)(\d*)$/.exec(vdev);
  if (m) {
    const disk = m[1]!.split('').reduce((n, c) => n * 26 + (c.charCodeAt(0) - 96), 0) - 1;
    const part = m[2] ? Number(m[2]) : 0;
    if (disk < 16 && part < 16) return (202 << 8) | (disk << 4) | part;
    return (1 << 28) | (disk << 8) | part;
  }
  m = /^hd([a-z])(\d*)$/.exec(vdev);
  if (m) {
    const disk = m[1]!.charCodeAt(0) - 97;
    const part = m[2] ? Number(m[2]) : 0;
    if (disk > 3) return undefined;
    return ((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | part;
  }
  m = /^sd([a-z])(\d*)$/.exec(vdev);
  if (m) return (8 << 8) | ((m[1]!.charCodeAt(0) - 97) << 4) | (m[2] ? Number(m[2]) : 0);
  if (/^\d+$/.test(vdev)) return Number(vdev);
  return undefined;
}
