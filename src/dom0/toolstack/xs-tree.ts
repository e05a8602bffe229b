// The xenstore nodes libxl writes for a domain (libxl__domain_make, libxl__build_post), with the
// permissions libxl sets: roperm = n0,r<id>; rwperm = n<id>.
import { XsError, type XsClient } from '../../formats/xenstore-client.ts';

export interface DomainTreeInfo {
  domid: number;
  name: string;
  uuid: string;
  type: 'pv' | 'pvh' | 'hvm';
  maxVcpus: number;
  onlineVcpus: number;
  staticMaxKb: number;
  targetKb: number;
  videoramKb: number;
  startTime: string;
  kernel?: string;
  ramdisk?: string;
  cmdline?: string;
  poolName: string;
  storePort: number;
  storeRingRef: number;
}

export async function writeDomainTree(xs: XsClient, d: DomainTreeInfo): Promise<void> {
  const dom = `/local/domain/${d.domid}`;
  const vm = `/vm/${d.uuid}`;
  const ro = ['n0', `r${d.domid}`];
  const rw = [`n${d.domid}`];
  await xs.transaction(async tx => {
    const put = async (path: string, value: string, perms?: string[]) => {
      await xs.write(path, value, tx);
      if (perms) await xs.setPerms(path, perms, tx);
    };
    // libxl ignores how these writes end (only the name's is checked, by names.ts up front): a
    // value too long for one request is left out, as libxenstore refuses it with E2BIG.
    const putUnchecked = (path: string, value: string) => xs.write(path, value, tx)
      .catch(e => { if (!(e instanceof XsError && e.code === 'E2BIG')) throw e; });
    const dir = async (path: string, perms: string[]) => { await xs.mkdir(path, tx); await xs.setPerms(path, perms, tx); };
    await dir(dom, ro);
    await dir(vm, ro);
    await dir(`/libxl/${d.domid}`, ['n0']);
    await put(`${dom}/vm`, vm);
    await put(`${dom}/name`, d.name);
    await put(`${dom}/domid`, String(d.domid));
    for (let i = 0; i < d.maxVcpus; i++) await put(`${dom}/cpu/${i}/availability`, i < d.onlineVcpus ? 'online' : 'offline');
    await put(`${dom}/memory/static-max`, String(d.staticMaxKb));
    await put(`${dom}/memory/target`, String(d.targetKb));
    await put(`${dom}/memory/videoram`, String(d.videoramKb));
    await put(`${dom}/store/port`, String(d.storePort));
    await put(`${dom}/store/ring-ref`, String(d.storeRingRef));
    await dir(`${dom}/device`, ro);
    await put(`${dom}/device/suspend/event-channel`, '', rw);
    await dir(`${dom}/control`, ro);
    await put(`${dom}/control/shutdown`, '', rw);
    await put(`${dom}/control/sysrq`, '', rw);
    for (const f of ['feature-poweroff', 'feature-reboot', 'feature-suspend']) await put(`${dom}/control/${f}`, '', rw);
    if (d.type === 'hvm') for (const f of ['feature-s3', 'feature-s4']) await put(`${dom}/control/${f}`, '', rw);
    await put(`${dom}/control/platform-feature-multiprocessor-suspend`, '1');
    await put(`${dom}/control/platform-feature-xs_reset_watches`, '1');
    for (const a of ['data', 'drivers', 'feature', 'attr', 'error']) await dir(`${dom}/${a}`, rw);
    await put(`${vm}/uuid`, d.uuid);
    await putUnchecked(`${vm}/name`, d.name);
    await put(`${vm}/start_time`, d.startTime);
    await put(`${vm}/image/ostype`, d.type === 'hvm' ? 'hvm' : 'linux');
    if (d.kernel) await putUnchecked(`${vm}/image/kernel`, d.kernel);
    if (d.ramdisk) await putUnchecked(`${vm}/image/ramdisk`, d.ramdisk);
    if (d.cmdline !== undefined && d.type !== 'hvm') await putUnchecked(`${vm}/image/cmdline`, d.cmdline);
    if (d.type === 'hvm') await put(`${vm}/rtc/timeoffset`, '0');
    await put(`/libxl/${d.domid}/type`, d.type);
    await put(`/libxl/${d.domid}/dm-version`, 'qemu_xen');
  });
}

/** Dom0's own nodes, as xen-init-dom0 and the dom0 kernel write them at boot. */
export async function writeDom0Tree(xs: XsClient, o: { memKb: number; pools: readonly { id: number; name: string }[] }): Promise<void> {
  await xs.transaction(async tx => {
    await xs.write('/local/domain/0/domid', '0', tx);
    await xs.write('/local/domain/0/name', 'Domain-0', tx);
    for (const f of ['feature-poweroff', 'feature-reboot', 'feature-suspend']) await xs.write(`/local/domain/0/control/${f}`, '1', tx);
    await xs.write('/local/domain/0/memory/static-max', String(o.memKb), tx);
    await xs.write('/local/domain/0/memory/target', String(o.memKb), tx);
    for (const p of o.pools) await xs.write(`/local/pool/${p.id}/name`, p.name, tx);
  });
}

export async function removeDomainTree(xs: XsClient, domid: number, uuid: string): Promise<void> {
  await xs.transaction(async tx => {
    for (const p of [`/local/domain/${domid}`, `/vm/${uuid}`, `/libxl/${domid}`, ...['vif', 'vbd', 'qdisk', 'console', 'pci', 'vtpm', 'vkbd', 'vinput', 'vdispl', 'vsnd', 'qusb', 'vusb'].map(k => `/local/domain/0/backend/${k}/${domid}`)]) {
      try { await xs.rm(p, tx); } catch (e: any) { if (e.code !== 'ENOENT') throw e; }
    }
  });
}
