// Where QEMU puts a device passed through to an HVM guest (libxl reads it back with query-pci
// and records it as vdevfn-N): the slot asked for (vslot), 00:02.0 for an Intel IGD given with
// gfx_passthru (igd-passthru=on takes the VGA's place), else the first slot free after the
// emulated i440FX (00), PIIX3 (01), VGA (02), Xen platform device (03) and the guests' emulated
// NICs, and after the devices already passed through.
import type { LibxlDevicePci } from '../../formats/pci-spec.ts';
import { backendPath } from './devices.ts';
import type { Toolstack } from './toolstack.ts';

export const IGD_VDEVFN = 0x10;

/** The slots QEMU's own devices take in an HVM guest, in order. */
export function emulatedSlots(config: Record<string, any>): number[] {
  const hvm = config.b_info?.['type.hvm'] ?? {};
  // 02 is the emulated VGA's, or the IGD's under gfx_passthru.
  const slots = [0, 1, 2];
  if (hvm.xen_platform_pci !== 'False') slots.push(3);
  const nics = (config.nics ?? []).length;
  for (let i = 0; i < nics; i++) slots.push(4 + i);
  return slots;
}

export async function pciVslot(ts: Toolstack, domid: number, p: LibxlDevicePci, isIgd = false): Promise<number> {
  if (p.vdevfn) return p.vdevfn;
  if (isIgd) return IGD_VDEVFN;
  const rec = ts.records.get(domid);
  const used = new Set(emulatedSlots(rec?.config ?? {}));
  const be = backendPath('pci', domid, 0);
  const num = parseInt(await ts.xs.read(`${be}/num_devs`).catch(() => '0'), 10) || 0;
  for (let i = 0; i < num; i++) {
    const v = await ts.xs.read(`${be}/vdevfn-${i}`).catch(() => null);
    if (v) used.add(parseInt(v, 16) >> 3);
  }
  let slot = 0;
  while (used.has(slot)) slot++;
  return slot << 3;
}
