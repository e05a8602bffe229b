// The HVM-only keys of xl.cfg, in the two places xl_parse.c reads them: firmware and platform
// options (before the devices), then display, serial, USB and vendor options (after them).

import { randomBytes } from 'node:crypto';
import { getDefbool, getList, getStringList, listItem } from '../xlcfg/config.ts';
import { type CfgReader, db } from './reader.ts';

type Obj = Record<string, unknown>;

const HVMLOADER = 'hvmloader';

/** Viridian enlightenment groups by bit number. */
const VIRIDIAN = ['base', 'freq', 'time_ref_count', 'reference_tsc', 'hcall_remote_tlb_flush', 'apic_assist',
  'crash_ctl', 'synic', 'stimer', 'hcall_ipi', 'ex_processor_masks', 'no_vp_limit', 'cpu_hotplug'];

/** strncmp(buf, word, strlen(buf)) == 0: `buf` is a prefix of `word` (the empty string matches). */
const prefixOf = (buf: string, word: string) => word.startsWith(buf);

function basename(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : p;
}

/** Firmware and platform keys; returns the kernel, which an hvmloader path cancels. */
export function parseHvmPlatform(
  r: CfgReader, hvm: Obj, b: Obj, kernelIn: string | undefined, generateVmGenid?: () => number[],
): string | undefined {
  const { cfg, sink, fail } = r;
  const str = (k: string) => r.str(k);
  const long = (k: string) => r.long(k);
  const defbool = (k: string) => r.defbool(k);
  let kernel = kernelIn;
  if (kernel !== undefined && basename(kernel) === HVMLOADER) {
    sink.push('WARNING: you seem to be using "kernel" directive to override HVM guest firmware. Ignore that. ' +
      'Use "firmware_override" instead if you really want a non-default firmware');
    kernel = undefined;
  }
  hvm.firmware = str('firmware_override');
  hvm.system_firmware = str('bios_path_override');
  const bios = str('bios');
  if (bios !== undefined) {
    if (!['rombios', 'seabios', 'ovmf'].includes(bios)) fail(`ERROR: invalid value "${bios}" for "bios"`);
    hvm.bios = bios;
  } else if (hvm.system_firmware !== undefined) {
    sink.push('WARNING: bios_path_override given without specific bios name');
  }
  hvm.pae = defbool('pae');
  hvm.acpi_s3 = defbool('acpi_s3');
  hvm.acpi_s4 = defbool('acpi_s4');
  hvm.acpi_laptop_slate = defbool('acpi_laptop_slate');
  hvm.nx = defbool('nx');
  hvm.hpet = defbool('hpet');
  hvm.vpt_align = defbool('vpt_align');
  b.apic = defbool('apic');
  const viridian = getList(cfg, 'viridian', sink, true);
  if (viridian) {
    const enable = new Set<number>();
    const disable = new Set<number>();
    for (let i = 0; i < viridian.length; i++) {
      let item = listItem(viridian, i) ?? '';
      if (item === 'all') { for (let bit = 0; bit < 64; bit++) enable.add(bit); continue; }
      if (item === 'defaults') { hvm.viridian = 'True'; continue; }
      let [set, reset] = [enable, disable];
      if (item.startsWith('!')) { [set, reset] = [disable, enable]; item = item.slice(1); }
      const bit = VIRIDIAN.indexOf(item.toLowerCase());
      if (bit < 0) fail(`xl: unknown viridian enlightenment '${item}'`, 3);
      set.add(bit);
      reset.delete(bit);
    }
    const sorted = (x: Set<number>) => (x.size ? [...x].sort((p, q) => p - q) : undefined);
    hvm.viridian_enable = sorted(enable);
    hvm.viridian_disable = sorted(disable);
  } else if (cfg.has('viridian')) {
    hvm.viridian = db(getDefbool(cfg, 'viridian', sink, true));
  }
  const mmioHole = long('mmio_hole');
  if (mmioHole !== undefined) {
    const bytes = mmioHole * 1024 * 1024;
    if (bytes < 0x10000000 || bytes > 0xf0000000) fail(`ERROR: invalid value ${mmioHole} for "mmio_hole"`);
    hvm.mmio_hole_memkb = mmioHole * 1024;
  }
  const altp2mhvm = getDefbool(cfg, 'altp2mhvm', sink);
  if (altp2mhvm !== undefined) {
    hvm.altp2m = db(altp2mhvm);
    sink.push('WARNING: Specifying "altp2mhvm" is deprecated. Please use "altp2m" instead.');
  }
  hvm.smbios_firmware = str('smbios_firmware');
  hvm.acpi_firmware = str('acpi_firmware');
  const genid = str('ms_vm_genid');
  if (genid === 'generate') hvm.ms_vm_genid = (generateVmGenid ?? (() => [...randomBytes(16)]))();
  else if (genid !== undefined && genid !== 'none') fail('ERROR: "ms_vm_genid" option must be "generate" or "none"');
  hvm.rdm_mem_boundary_memkb = r.memkb('rdm_mem_boundary');
  const mca = getList(cfg, 'mca_caps', sink, true);
  if (mca) {
    for (let i = 0; i < mca.length; i++) {
      const cap = listItem(mca, i);
      if (cap !== 'lmce') fail(`ERROR: unrecognized MCA capability '${cap}'.`, 3);
      hvm.mca_caps = 1;
    }
  } else if (cfg.has('mca_caps')) {
    fail('ERROR: unable to parse mca_caps.', 3);
  }
  const fw = str('firmware');
  if (fw !== undefined && !['rombios', 'seabios', 'ovmf'].includes(fw)) {
    if (prefixOf(fw, 'uefi')) hvm.bios = 'ovmf';
    else if (!prefixOf(fw, 'bios')) hvm.firmware = fw;
  } else if (fw !== undefined) {
    hvm.bios = fw;
  }
  return kernel;
}

/** Display, serial, USB and vendor keys. */
export function parseHvmDevices(r: CfgReader, hvm: Obj, vgaInfo: Obj, spice: Obj, vnc: Obj): void {
  const { cfg, sink, fail } = r;
  const str = (k: string) => r.str(k);
  const long = (k: string) => r.long(k);
  const quietLong = (k: string) => r.quietLong(k);
  const defbool = (k: string) => r.defbool(k);
  const vga = str('vga');
  if (vga !== undefined) {
    const kinds: Record<string, string> = { stdvga: 'std', cirrus: 'cirrus', none: 'none', qxl: 'qxl' };
    if (!Object.hasOwn(kinds, vga)) fail(`Unknown vga "${vga}" specified`);
    vgaInfo.kind = kinds[vga];
  } else {
    const stdvga = long('stdvga');
    if (stdvga !== undefined) vgaInfo.kind = stdvga ? 'std' : 'cirrus';
  }
  const hdtype = str('hdtype');
  if (hdtype !== undefined) {
    if (hdtype !== 'ide' && hdtype !== 'ahci') fail(`ERROR: invalid value "${hdtype}" for "hdtype"`);
    if (hdtype !== 'ide') hvm.hdtype = hdtype;
  }
  hvm.keymap = str('keymap');
  Object.assign(spice, {
    enable: defbool('spice'), port: long('spiceport') || undefined, tls_port: long('spicetls_port') || undefined,
    host: str('spicehost'), disable_ticketing: defbool('spicedisable_ticketing'), passwd: str('spicepasswd'),
    agent_mouse: defbool('spiceagent_mouse'), vdagent: defbool('spicevdagent'),
    clipboard_sharing: defbool('spice_clipboard_sharing'), usbredirection: long('spiceusbredirection') || undefined,
    image_compression: str('spice_image_compression'), streaming_video: str('spice_streaming_video'),
  });
  hvm.nographic = defbool('nographic');
  const gfxNum = quietLong('gfx_passthru');
  if (gfxNum !== undefined) hvm.gfx_passthru = db(gfxNum !== 0);
  else {
    const gfx = str('gfx_passthru');
    if (gfx !== undefined) {
      if (gfx !== 'default' && gfx !== 'igd') fail(`ERROR: invalid value "${gfx}" for "gfx_passthru"`);
      hvm.gfx_passthru = 'True';
      if (gfx !== 'default') hvm.gfx_passthru_kind = gfx;
    }
  }
  const serialList = getStringList(cfg, 'serial', sink, true);
  if (serialList) { if (serialList.length) hvm.serial_list = serialList; }
  else if (cfg.has('serial')) {
    const s = str('serial');
    if (s === undefined) fail('xl: Unable to parse serial.', 3);
    hvm.serial = s;
  }
  hvm.boot = str('boot');
  hvm.usb = defbool('usb');
  const usbversion = long('usbversion');
  if (usbversion) hvm.usbversion = usbversion;
  const usbdevList = getStringList(cfg, 'usbdevice', sink, true);
  if (usbdevList) { if (usbdevList.length) hvm.usbdevice_list = usbdevList; }
  else if (cfg.has('usbdevice')) {
    const s = str('usbdevice');
    if (s === undefined) fail('xl: Unable to parse usbdevice.', 3);
    hvm.usbdevice = s;
  }
  hvm.vkb_device = defbool('vkb_device');
  hvm.soundhw = str('soundhw');
  hvm.xen_platform_pci = defbool('xen_platform_pci');
  if (typeof vnc.listen === 'string' && vnc.display && vnc.listen.includes(':')) {
    fail('ERROR: Display specified both in vnclisten and vncdisplay!');
  }
  const vendor = str('vendor_device');
  if (vendor !== undefined) {
    if (vendor !== 'none' && vendor !== 'xenserver') fail(`xl: unknown vendor_device '${vendor}'`, 3);
    if (vendor !== 'none') hvm.vendor_device = vendor;
  }
}
