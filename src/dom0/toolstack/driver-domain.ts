// Driver domains as libxl knows them: a device whose spec names a backend domain
// (`backend=NAME`, libxl__resolve_domid) has its backend directory in that domain's home, and
// a domain built with driver_domain=1 gets the directories its own libxl and QEMU write to.
import type { XsClient } from '../../formats/xenstore-client.ts';
import { LibxlError } from './errors.ts';
import type { DomainRecord, Toolstack } from './toolstack.ts';

/**
 * The setdefault step: backend_domname becomes backend_domid (digits are a domid, taken as
 * they are; a name must be a domain's). `failed`: what the caller prints after libxl's line.
 */
export function resolveBackend(ts: Toolstack, dev: { backend_domname?: string; backend_domid?: number }, failed: string): void {
  const name = dev.backend_domname;
  if (name === undefined) return;
  const domid = /^\d+$/.test(name) ? Number(name) : ts.domidByName(name);
  if (domid === undefined) throw new LibxlError('EINVAL', `libxl: error: libxl_utils.c:79:libxl_name_to_domid: cannot find domain ${name}\n${failed}`, failed.startsWith('libxl: error') ? 3 : 1);
  dev.backend_domid = domid;
}

/** libxl__domain_make for driver_domain=1: <home>/libxl and <home>/device-model, the domain's own. */
export async function writeDriverDomainDirs(xs: XsClient, domid: number): Promise<void> {
  await xs.transaction(async tx => {
    for (const dir of ['libxl', 'device-model']) {
      await xs.mkdir(`/local/domain/${domid}/${dir}`, tx);
      await xs.setPerms(`/local/domain/${domid}/${dir}`, [`n${domid}`], tx);
    }
  });
}

/**
 * A destroyed guest's backends in driver domains go with it: the directories its devices had
 * there (what libxl's forced removal and the driver domain's `xl devd` leave behind: nothing).
 */
export async function removeDriverDomainBackends(xs: XsClient, rec: DomainRecord): Promise<void> {
  const devs: { backend_domid?: number }[] = [...rec.config.nics ?? [], ...rec.config.disks ?? []];
  const homes = new Set(devs.map(d => d.backend_domid ?? 0).filter(b => b !== 0));
  await xs.transaction(async tx => {
    for (const b of homes) for (const kind of ['vif', 'vbd']) {
      try { await xs.rm(`/local/domain/${b}/backend/${kind}/${rec.domid}`, tx); } catch (e: any) { if (e.code !== 'ENOENT') throw e; }
    }
  });
}

export const isDriverDomain = (rec: DomainRecord | undefined): boolean => rec?.config.c_info?.driver_domain === 'True';
