// Dom0's kernel: Debian 12's stock kernel, not whatever kernel the machine running xenlab has.
// `xl info` prints its uname release and version; its package's files are on Dom0's disk, where
// a PV guest's `kernel=` and `ramdisk=` may name them.
const RELEASE = '6.1.0-41-amd64';

export const DOM0_UTS = {
  release: RELEASE,
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)',
};

/** The image and initramfs, and the links to them that Debian's kernel hooks make (in / and, with link_in_boot, in /boot). */
export const DOM0_BOOT_FILES: ReadonlySet<string> = new Set([
  `/boot/vmlinuz-${RELEASE}`, `/boot/initrd.img-${RELEASE}`, '/vmlinuz', '/initrd.img', '/boot/vmlinuz', '/boot/initrd.img',
]);
