// xenpm: the hypervisor's power management statistics and settings (libxc's xc_pm_* calls). A
// refusal is Xen's errno, which xenpm prints with strerror.
import type { Handlers } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';
import { HypervisorError } from '../../hypervisor/errors.ts';
import type { Host } from '../host.ts';
import type { PmSetting } from '../../protocol/pm.ts';

function hypercall<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof HypervisorError) throw new ToolError(e.errno, e.message, 1);
    throw e;
  }
}

/** A number as sscanf("%d") left it for the tool; the hypervisor takes it as uint32. */
const u32 = (v: string): number => Number(BigInt.asUintN(32, BigInt(v)));

function set(host: Host, cpu: number, setting: PmSetting, value: string): void {
  const pm = host.hv.pm, now = host.clock.now();
  switch (setting) {
    case 'governor': return pm.setGovernor(cpu, value, now);
    case 'maxfreq': return pm.setScalingLimit(cpu, 'max', u32(value), now);
    case 'minfreq': return pm.setScalingLimit(cpu, 'min', u32(value), now);
    case 'speed': return pm.setSpeed(cpu, u32(value), now);
    case 'sampling-rate': return pm.setOndemand(cpu, 'rate', u32(value));
    case 'up-threshold': return pm.setOndemand(cpu, 'threshold', u32(value));
    case 'turbo': return pm.setTurbo(cpu, value === '1');
    case 'max-cstate': return pm.setMaxCstate(u32(value));
    case 'max-csubstate': return pm.setMaxCstate(u32(value), true);
  }
}

export const pmHandlers: Handlers = {
  'pm.cxStat': (host, a) => hypercall(() => host.hv.pm.cxStat(a.cpu, host.clock.now())),
  'pm.pxStat': (host, a) => hypercall(() => host.hv.pm.pxStat(a.cpu, host.clock.now())),
  'pm.avgFreq': (host, a) => hypercall(() => ({ khz: host.hv.pm.averageKhz(a.cpu, host.clock.now()) })),
  'pm.cpufreqPara': (host, a) => hypercall(() => host.hv.pm.cpufreqPara(a.cpu)),
  'pm.maxCstate': host => host.hv.pm.maxCstateLimit(),
  'pm.set': (host, a) => {
    const before = host.hv.pm.settings();
    hypercall(() => set(host, a.cpu, a.setting, a.value));
    // Recorded before the reply, so a daemon restart keeps it (undone if it cannot be recorded).
    try { host.persistence.commitXenSettings(); } catch (e) { host.hv.pm.restoreSettings(before, host.clock.now()); throw e; }
    return {};
  },
  'pm.sleepUntil': (host, a) => new Promise<{}>(resolve => { host.clock.at(BigInt(a.ns), () => resolve({})); }),
};
