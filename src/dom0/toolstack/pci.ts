// PCI passthrough as libxl_pci.c does it (Xen 4.17): the assignable devices (bound to pciback
// and quarantined with dom_io, their Dom0 driver remembered under /libxl/pci), a device given to
// a guest (Xen's assignment, the backend's num_devs/dev-N/key-N/opts-N/state-N under
// /local/domain/0/backend/pci/<domid>/0 and the guest's device/pci/0), taken back, and listed.
// The refusals are libxl's and Xen's, with their log lines.
import type { LibxlDevicePci } from '../../formats/pci-spec.ts';
import { DOMID_IO, type AssignErrno } from '../../hypervisor/passthrough.ts';
import { PCIBACK } from '../pci-drivers.ts';
import { LibxlError } from './errors.ts';
import { backendPath, frontendPath, waitXs } from './devices.ts';
import { pciVslot } from './pci-slots.ts';
import type { Toolstack } from './toolstack.ts';

const PCI_INFO = '/libxl/pci';
const SYSFS_PCI_DEV = '/sys/bus/pci/devices';
const STRERROR: Record<AssignErrno | 'ENOENT', string> = {
  EPERM: 'Operation not permitted', ENODEV: 'No such device', EBUSY: 'Device or resource busy', EINVAL: 'Invalid argument',
  ENOENT: 'No such file or directory',
};

export interface PciAddr { domain: number; bus: number; dev: number; func: number }

/** A device on a guest as libxl_device_pci_list gives it. */
export interface AttachedPci extends PciAddr { vdevfn: number }

/** What libxl logged on the way (xl prints it on stderr) for an operation that succeeded. */
export interface PciResult { log: string[] }

const addr = (p: LibxlDevicePci): PciAddr => ({ domain: p.domain ?? 0, bus: p.bus ?? 0, dev: p.dev ?? 0, func: p.func ?? 0 });
const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
/** PCI_BDF. */
export const pciBdf = (a: PciAddr): string => `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.dev, 2)}.${a.func.toString(16)}`;
/** "%x:%x:%x.%x", libxl's short spelling in its messages. */
const shortBdf = (a: PciAddr): string => `${a.domain.toString(16)}:${a.bus.toString(16)}:${a.dev.toString(16)}.${a.func.toString(16)}`;
const infoPath = (a: PciAddr, node?: string) => `${PCI_INFO}/${h(a.domain, 4)}-${h(a.bus, 2)}-${h(a.dev, 2)}-${a.func.toString(16)}${node ? `/${node}` : ''}`;

/** libxl's log line: `libxl: <level>: libxl_pci.c:<line>:<function>: [Domain <d>:]<message>`. */
function lx(level: 'error' | 'warning' | 'info', line: number, fn: string, msg: string, domid?: number): string {
  return `libxl: ${level}: libxl_pci.c:${line}:${fn}: ${domid === undefined ? '' : `Domain ${domid}:`}${msg}`;
}

class PciFailure extends Error { constructor(readonly lines: string[]) { super(lines.join('\n')); } }

const failed = (lines: string[], exitCode = 1) => new LibxlError('EPCI', lines.join('\n'), exitCode);

async function readOr(ts: Toolstack, path: string): Promise<string | null> {
  try { return await ts.xs.read(path); } catch { return null; }
}

async function rmOr(ts: Toolstack, path: string, tx = 0): Promise<void> {
  try { await ts.xs.rm(path, tx); } catch (e: any) { if (e.code !== 'ENOENT') throw e; }
}

// ---- assignable devices ---------------------------------------------------------------------

/** libxl__device_pci_assignable_add. */
async function assignableAdd(ts: Toolstack, a: PciAddr, name: string | undefined, rebind: boolean, log: string[]): Promise<void> {
  const F = 'libxl__device_pci_assignable_add';
  const sbdf = pciBdf(a);
  if (name !== undefined) {
    if (name.length > 64) throw new PciFailure([lx('error', 777, F, 'Name too long')]);
    if (!/^[\x21-\x7e]*$/.test(name)) throw new PciFailure([lx('error', 783, F, 'Names may only include printable characters')]);
  }
  const drivers = ts.platform.pci;
  if (!drivers.exists(sbdf)) throw new PciFailure([lx('error', 792, F, `Couldn't lstat ${SYSFS_PCI_DEV}/${sbdf}: ${STRERROR.ENOENT}`)]);
  if (drivers.driverOf(sbdf) === PCIBACK) log.push(lx('warning', 802, F, `${sbdf} already assigned to pciback`));
  else {
    const had = drivers.driverOf(sbdf);
    if (had && !unbindable(ts, sbdf)) {
      throw new PciFailure([
        lx('error', 380, 'sysfs_write_bdf', `write to /sys/bus/pci/drivers/${had}/unbind returned -1: ${STRERROR.EBUSY}`),
        lx('error', 520, 'sysfs_dev_unbind', `Couldn't unbind device: ${STRERROR.EBUSY}`),
        lx('error', 808, F, `Couldn't unbind ${sbdf} from driver`),
      ]);
    }
    const driverPath = drivers.unbind(sbdf);
    // A PF's driver going away takes the PF's (unused) VFs with it.
    if (driverPath && ts.hv.machine.pci.vfsOf(sbdf).length) drivers.setNumVfs(sbdf, 0, () => false);
    if (rebind) {
      if (driverPath) await ts.xs.write(infoPath(a, 'driver_path'), driverPath);
      else {
        const old = await readOr(ts, infoPath(a, 'driver_path'));
        log.push(old ? lx('info', 819, F, `${sbdf} not bound to a driver, will be rebound to ${old}`)
          : lx('warning', 822, F, `${sbdf} not bound to a driver, will not be rebound.`));
      }
    } else await rmOr(ts, infoPath(a, 'driver_path'));
    drivers.bind(sbdf, `/sys/bus/pci/drivers/${PCIBACK}`);
  }
  if (name !== undefined) await ts.xs.write(infoPath(a, 'name'), name);
  else await rmOr(ts, infoPath(a, 'name'));
  // Quarantine: dom_io takes it (always with the relaxed RDM policy, as libxl asks).
  if (ts.hv.passthrough.ownerOf(sbdf) === 0 && ts.hv.passthrough.assign(DOMID_IO, sbdf, true)) {
    throw new PciFailure([lx('error', 848, F, `failed to quarantine ${sbdf}`)]);
  }
}

/**
 * The kernel refuses to unbind a PF's driver while any of its VFs is given away or held by
 * pciback (xenlab's choice where Linux drivers differ: ixgbe would leave the VFs dangling).
 */
function unbindable(ts: Toolstack, sbdf: string): boolean {
  return !ts.hv.machine.pci.vfsOf(sbdf).some(vf => ts.platform.pci.driverOf(vf.sbdf) === PCIBACK || ts.hv.passthrough.ownerOf(vf.sbdf) !== 0);
}

/** name2bdf: the assignable device with that name, or ERROR_NOTFOUND. */
async function nameToBdf(ts: Toolstack, name: string): Promise<PciAddr | null> {
  for (const k of await ts.xs.directory(PCI_INFO).catch(() => [] as string[])) {
    const m = /^([0-9a-f]{4})-([0-9a-f]{2})-([0-9a-f]{2})-([0-7])$/.exec(k);
    if (!m) continue;
    const a = { domain: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), dev: parseInt(m[3]!, 16), func: Number(m[4]) };
    if (await readOr(ts, infoPath(a, 'name')) === name) return a;
  }
  return null;
}

/** libxl__device_pci_assignable_remove. */
async function assignableRemove(ts: Toolstack, a: PciAddr, rebind: boolean, log: string[]): Promise<void> {
  const F = 'libxl__device_pci_assignable_remove';
  const sbdf = pciBdf(a);
  if (ts.hv.passthrough.deassign(DOMID_IO, sbdf)) throw new PciFailure([lx('error', 906, F, `failed to de-quarantine ${sbdf}`)]);
  const drivers = ts.platform.pci;
  if (drivers.driverOf(sbdf) === PCIBACK) drivers.unbind(sbdf);
  else log.push(lx('warning', 917, F, 'Not bound to pciback'));
  const driverPath = await readOr(ts, infoPath(a, 'driver_path'));
  if (driverPath) {
    if (rebind) {
      log.push(lx('info', 925, F, `Rebinding to driver at ${driverPath}`));
      drivers.bind(sbdf, driverPath);
      await rmOr(ts, infoPath(a, 'driver_path'));
    }
  } else if (rebind) log.push(lx('warning', 938, F, "Couldn't find path for original driver; not rebinding"));
  await rmOr(ts, infoPath(a, 'name'));
}

/** libxl__xs_path_cleanup: the node, then each parent left empty by it. */
async function pathCleanup(ts: Toolstack, path: string, tx: number): Promise<void> {
  await rmOr(ts, path, tx);
  for (let p = path.slice(0, path.lastIndexOf('/')); p.split('/').length > 4; p = p.slice(0, p.lastIndexOf('/'))) {
    if ((await ts.xs.directory(p, tx).catch(() => ['?'])).length) break;
    await rmOr(ts, p, tx);
  }
}

async function guarded(fn: (log: string[]) => Promise<void>): Promise<PciResult> {
  const log: string[] = [];
  try { await fn(log); } catch (e) {
    if (e instanceof PciFailure) throw failed([...log, ...e.lines]);
    throw e;
  }
  return { log };
}

export function pciAssignableAdd(ts: Toolstack, pci: LibxlDevicePci, rebind: boolean): Promise<PciResult> {
  return guarded(log => assignableAdd(ts, addr(pci), pci.name, rebind, log));
}

/** xl's pciassignable_remove: by name first; a name no device has is then read as a BDF (`bdf`, null if it is none). */
export async function pciAssignableRemove(ts: Toolstack, ident: string, bdf: LibxlDevicePci | null, rebind: boolean): Promise<PciResult & { malformed?: boolean }> {
  const named = await nameToBdf(ts, ident);
  if (!named && !bdf) return { log: [], malformed: true };
  return guarded(log => assignableRemove(ts, named ?? addr(bdf!), rebind, log));
}

/** libxl_device_pci_assignable_list: pciback's devices that no guest has (no domid under /libxl/pci). */
export async function pciAssignableList(ts: Toolstack): Promise<(PciAddr & { name?: string })[]> {
  const out: (PciAddr & { name?: string })[] = [];
  for (const sbdf of ts.platform.pci.pcibackDevices()) {
    const f = ts.hv.machine.pci.get(sbdf)!;
    const a = { domain: f.seg, bus: f.bus, dev: f.dev, func: f.fn };
    if (await readOr(ts, infoPath(a, 'domid')) !== null) continue;
    const name = await readOr(ts, infoPath(a, 'name'));
    out.push(name === null ? a : { ...a, name });
  }
  return out;
}

// ---- devices of a guest ---------------------------------------------------------------------

/** libxl_device_pci_list: from the backend's dev-N and vdevfn-N (null: the guest has no PCI backend). */
export async function pciList(ts: Toolstack, domid: number): Promise<AttachedPci[] | null> {
  const be = backendPath('pci', domid, 0);
  const num = await readOr(ts, `${be}/num_devs`);
  if (num === null) return null;
  const out: AttachedPci[] = [];
  for (let i = 0; i < (parseInt(num, 10) || 0); i++) {
    const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/.exec(await readOr(ts, `${be}/dev-${i}`) ?? '');
    const vdevfn = await readOr(ts, `${be}/vdevfn-${i}`);
    const [domain, bus, dev, func] = m ? m.slice(1).map(x => parseInt(x, 16)) : [0, 0, 0, 0];
    out.push({ domain: domain!, bus: bus!, dev: dev!, func: func!, vdevfn: vdevfn ? parseInt(vdevfn, 16) : 0 });
  }
  return out;
}

const OPTS = (p: LibxlDevicePci) =>
  `msitranslate=${p.msitranslate ? 1 : 0},power_mgmt=${p.power_mgmt ? 1 : 0},permissive=${p.permissive ? 1 : 0},rdm_policy=${p.rdm_policy ?? 'strict'}`;

/** libxl__device_pci_add_xenstore: the backend (made with the first device) and the device's dev-N keys. */
async function addXenstore(ts: Toolstack, domid: number, p: LibxlDevicePci, a: PciAddr, starting: boolean): Promise<void> {
  const xs = ts.xs;
  const be = backendPath('pci', domid, 0), fe = frontendPath('pci', domid, 0);
  const numDevs = await readOr(ts, `${be}/num_devs`);
  const pv = ts.records.get(domid)?.type === 'pv';
  if (numDevs !== null && !starting && pv) {
    await waitXs(xs, ts.hv.clock, `${be}/state`, v => v === '4', 'backend did not reach Connected');
  }
  const num = numDevs === null ? 0 : parseInt(numDevs, 10) || 0;
  const keys: [string, string][] = [[`key-${num}`, pciBdf(a)], [`dev-${num}`, pciBdf(a)]];
  if (p.vdevfn) keys.push([`vdevfn-${num}`, p.vdevfn.toString(16)]);
  if (p.name) keys.push([`name-${num}`, p.name]);
  keys.push([`opts-${num}`, OPTS(p)], [`state-${num}`, '1'], ['num_devs', String(num + 1)]);
  if (num && !starting) keys.push(['state', '7']);
  await xs.transaction(async tx => {
    if (numDevs === null) {
      await rmOr(ts, be, tx);
      await xs.mkdir(be, tx);
      await xs.setPerms(be, ['n0', `r${domid}`], tx);
      for (const [k, v] of [['frontend', fe], ['frontend-id', String(domid)], ['online', '1'], ['state', '1'], ['domain', ts.nameOf(domid) ?? '']]) await xs.write(`${be}/${k}`, v!, tx);
      await rmOr(ts, fe, tx);
      await xs.mkdir(fe, tx);
      await xs.setPerms(fe, [`n${domid}`, 'r0'], tx);
      for (const [k, v] of [['backend', be], ['backend-id', '0'], ['state', '1']]) await xs.write(`${fe}/${k}`, v!, tx);
    }
    for (const [k, v] of keys) await xs.write(`${be}/${k}`, v, tx);
  });
}

/** libxl__device_pci_add: the checks, Xen's assignment, then the xenstore keys. */
async function pciAdd(ts: Toolstack, domid: number, p: LibxlDevicePci, starting: boolean, log: string[]): Promise<void> {
  let a = addr(p);
  const F = 'libxl__device_pci_add';
  const fail = (lines: string[], rc = -3): never => {
    const what = p.name !== undefined ? [1803, `'${p.name}'`] as const : [1809, shortBdf(a)] as const;
    throw new PciFailure([...lines, lx('error', what[0], 'device_pci_add_done', `libxl__device_pci_add failed for PCI device ${what[1]} (rc ${rc})`, domid)]);
  };
  if (p.name !== undefined) {
    const named = await nameToBdf(ts, p.name);
    if (!named) throw new PciFailure([lx('error', 1803, 'device_pci_add_done', `libxl__device_pci_add failed for PCI device '${p.name}' (rc -23)`, domid)]);
    a = named;
  }
  const sbdf = pciBdf(a);
  const rec = ts.records.get(domid);
  const hvm = rec?.type === 'hvm';
  if (hvm && ts.hv.passthrough.testAssign(sbdf)) {
    fail([lx('error', 1658, F, `PCI device ${sbdf} already assigned to a different guest?`, domid)]);
  }
  if (p.seize && ts.platform.pci.driverOf(sbdf) !== PCIBACK) {
    try { await assignableAdd(ts, a, undefined, true, log); } catch (e) {
      if (e instanceof PciFailure) fail(e.lines);
      throw e;
    }
  }
  const assignable = (await pciAssignableList(ts)).some(d => pciBdf(d) === sbdf);
  if (!assignable) fail([lx('error', 1677, F, `PCI device ${shortBdf(a)} is not assignable`, domid)]);
  await ts.xs.write(infoPath(a, 'domid'), String(domid));
  let target = a, vslot = p.vdevfn;
  try {
    if (p.vfunc_mask === LIBXL_PCI_FUNC_ALL) [target, vslot] = wholeDevice(ts, domid, p, a, fail);
    const e = ts.hv.passthrough.assign(domid, pciBdf(target), p.rdm_policy === 'relaxed');
    if (e) fail([lx('error', 1529, 'pci_add_dm_done', `xc_assign_device failed: ${STRERROR[e]}`, domid)]);
    const vdevfn = hvm ? await pciVslot(ts, domid, { ...p, vdevfn: vslot }, isGfxIgd(ts, domid, sbdf)) : vslot ?? 0;
    await addXenstore(ts, domid, { ...p, vdevfn }, target, starting);
  } catch (e) {
    if (ts.hv.passthrough.ownerOf(pciBdf(target)) === domid) ts.hv.passthrough.deassign(domid, pciBdf(target));
    await rmOr(ts, infoPath(a, 'domid'));
    throw e;
  }
}

const LIBXL_PCI_FUNC_ALL = 0xffffffff;

/**
 * A whole device (`BB:DD.*`): libxl wants a virtual slot for it and every function with pciback
 * (pci_multifunction_check); its loop over the functions then passes 4.17 only the highest one,
 * at the slot with that function's number. The function and the vdevfn to use.
 */
function wholeDevice(ts: Toolstack, domid: number, p: LibxlDevicePci, a: PciAddr, fail: (lines: string[], rc?: number) => never): [PciAddr, number] {
  if (!((p.vdevfn ?? 0) >> 3)) fail([lx('error', 1756, 'device_pci_add_stubdom_done', 'Must specify a v-slot for multi-function devices', domid)], -6);
  const fns = ts.hv.machine.pci.functions().filter(f => f.seg === a.domain && f.bus === a.bus && f.dev === a.dev);
  const stray = fns.find(f => ts.platform.pci.driverOf(f.sbdf) !== PCIBACK);
  if (stray) fail([lx('error', 1008, 'pci_multifunction_check', `${stray.sbdf} is not assigned to pciback driver`)]);
  const top = fns[fns.length - 1]!.fn;
  return [{ ...a, func: top }, (p.vdevfn! & ~7) | top];
}

/** libxl__is_igd_vga_passthru for this device, with gfx_passthru on: QEMU puts it at 00:02.0. */
function isGfxIgd(ts: Toolstack, domid: number, sbdf: string): boolean {
  const hvm = ts.records.get(domid)?.config.b_info?.['type.hvm'] ?? {};
  return hvm.gfx_passthru === 'True' && isIntelVga(ts, sbdf);
}

/** libxl__is_igd_vga_passthru's test of one device: Intel's, class 0x030000. */
function isIntelVga(ts: Toolstack, sbdf: string): boolean {
  const f = ts.hv.machine.pci.get(sbdf);
  return f?.spec.vendor === 0x8086 && f.spec.classCode === 0x030000;
}

/**
 * The device model's part of gfx_passthru (libxl_dm.c): with no gfx_passthru_kind given, the
 * kind is IGD only when one of the guest's devices is an Intel VGA controller; else QEMU cannot
 * be started and the create fails.
 */
export function checkGfxPassthru(ts: Toolstack, domid: number, config: Record<string, any>): void {
  const hvm = config.b_info?.['type.hvm'];
  if (config.c_info?.type !== 'hvm' || hvm?.gfx_passthru !== 'True' || hvm.gfx_passthru_kind) return;
  if ((config.pcidevs ?? []).some((p: LibxlDevicePci) => isIntelVga(ts, pciBdf(addr(p))))) return;
  throw new LibxlError('EINVAL', [
    `libxl: error: libxl_dm.c:1842:libxl__build_device_model_args_new: Domain ${domid}:unable to detect required gfx_passthru_kind`,
    `libxl: error: libxl_create.c:1894:domcreate_devmodel_started: Domain ${domid}:device model did not start: -3`,
  ].join('\n'), 3);
}

/** libxl__device_pci_remove_xenstore: state-N Closing and the backend Reconfiguring, then the keys renumbered. */
async function removeXenstore(ts: Toolstack, domid: number, a: PciAddr, force: boolean): Promise<void> {
  const xs = ts.xs, be = backendPath('pci', domid, 0);
  const num = parseInt(await readOr(ts, `${be}/num_devs`) ?? '0', 10) || 0;
  const pv = ts.records.get(domid)?.type === 'pv';
  const connected = () => waitXs(xs, ts.hv.clock, `${be}/state`, v => v === '4', 'backend did not reach Connected');
  if (pv && !force) await connected();
  let i = 0;
  for (; i < num; i++) if (await readOr(ts, `${be}/dev-${i}`) === pciBdf(a)) break;
  if (i === num) return;
  await xs.transaction(async tx => { await xs.write(`${be}/state-${i}`, '5', tx); await xs.write(`${be}/state`, '7', tx); });
  if (pv && !force) await connected();
  await xs.transaction(async tx => {
    const keys = ['state', 'key', 'dev', 'vdev', 'opts', 'vdevfn', 'name'];
    for (const k of keys) await rmOr(ts, `${be}/${k}-${i}`, tx);
    await xs.write(`${be}/num_devs`, String(num - 1), tx);
    for (let j = i + 1; j < num; j++) {
      for (const k of keys) {
        const v = await xs.read(`${be}/${k}-${j}`, tx).catch(() => null);
        if (v === null) continue;
        await xs.write(`${be}/${k}-${j - 1}`, v, tx);
        await xs.rm(`${be}/${k}-${j}`, tx);
      }
    }
  });
  if (num === 1) {
    await xs.transaction(async tx => {
      for (const p of [frontendPath('pci', domid, 0), be]) await pathCleanup(ts, p, tx);
    });
  }
}

/** libxl__device_pci_remove_common for one function. */
async function pciRemove(ts: Toolstack, domid: number, p: LibxlDevicePci, force: boolean): Promise<void> {
  let a = addr(p);
  if (p.name !== undefined) a = await nameToBdf(ts, p.name) ?? a;
  const attached = await pciList(ts, domid);
  if (!attached?.some(d => pciBdf(d) === pciBdf(a))) {
    throw new PciFailure([lx('error', 1969, 'do_pci_remove', 'PCI device not attached to this domain', domid)]);
  }
  ts.hv.passthrough.deassign(domid, pciBdf(a));
  await removeXenstore(ts, domid, a, force);
  await rmOr(ts, infoPath(a, 'domid'));
}

/** libxl_device_pci_add (xl pci-attach), recorded in the stored config. */
export function pciAttach(ts: Toolstack, domid: number, p: LibxlDevicePci): Promise<PciResult> {
  return guarded(async log => {
    try { await pciAdd(ts, domid, p, false, log); } catch (e) {
      if (e instanceof PciFailure) throw new PciFailure([...e.lines, lx('error', 1486, 'device_addrm_aocomplete', 'unable to add device').replace('libxl_pci.c', 'libxl_device.c')]);
      throw e;
    }
    const rec = ts.records.get(domid);
    if (rec) {
      const devs: LibxlDevicePci[] = (rec.config.pcidevs ??= []);
      devs.push(p);
      ts.commitOrUndo(domid, () => { devs.pop(); });
    }
  });
}

/** libxl_device_pci_remove / _destroy (xl pci-detach [-f]). */
export function pciDetach(ts: Toolstack, domid: number, p: LibxlDevicePci, force: boolean): Promise<PciResult> {
  return guarded(async () => {
    try { await pciRemove(ts, domid, p, force); } catch (e) {
      if (e instanceof PciFailure) throw new PciFailure([...e.lines, lx('error', 1486, 'device_addrm_aocomplete', 'unable to remove device').replace('libxl_pci.c', 'libxl_device.c')]);
      throw e;
    }
    const rec = ts.records.get(domid);
    const devs: LibxlDevicePci[] = rec?.config.pcidevs ?? [];
    const at = devs.findIndex(d => pciBdf(addr(d)) === pciBdf(addr(p)) || (p.name !== undefined && d.name === p.name));
    if (rec && at >= 0) {
      const before = [...devs];
      devs.splice(at, 1);
      ts.commitOrUndo(domid, () => { rec.config.pcidevs = before; });
    }
  });
}

/** libxl__add_pcis at creation; a failure is the create's (`unable to add pci devices`). */
export async function addPcis(ts: Toolstack, domid: number, pcis: LibxlDevicePci[]): Promise<string[]> {
  const log: string[] = [];
  for (const p of pcis) {
    try { await pciAdd(ts, domid, p, true, log); } catch (e) {
      if (!(e instanceof PciFailure)) throw e;
      throw failed([...log, ...e.lines, lx('error', 1919, 'domcreate_attach_devices', 'unable to add pci devices', domid).replace('libxl_pci.c', 'libxl_create.c')], 3);
    }
  }
  return log;
}

/** libxl__device_pci_destroy_all: a dying guest's devices removed by force (back to quarantine). */
export async function destroyAllPcis(ts: Toolstack, domid: number): Promise<void> {
  for (const d of await pciList(ts, domid) ?? []) await pciRemove(ts, domid, d, true).catch(() => {});
}
