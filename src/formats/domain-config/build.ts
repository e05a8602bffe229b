// xl_parse.c's parse_config_data: from a parsed xl.cfg to the libxl_domain_config that xl
// hands to libxl (and prints for `create -n`). Checks run in xl's order so the first error
// and the warnings before it match real xl; every field left at libxl's default is omitted.

import { randomUUID } from 'node:crypto';
import {
  type XlCfg, getBoundedLong, getDefbool, getList, getLong, getString, getStringList, listItem,
} from '../xlcfg/config.ts';
import { parseDiskSpec } from '../disk-spec.ts';
import { parseVifConfigString, VifError, type VifDefaults, type LibxlDeviceNic } from '../vif-spec.ts';
import { parsePciSpec, type LibxlDevicePci } from '../pci-spec.ts';
import { ConfigError } from './errors.ts';
import * as extra from './devices-extra.ts';
import { parseVnuma } from './vnuma.ts';
import { ordered } from './ordered.ts';
import { CfgReader, db } from './reader.ts';
import { parseHvmDevices, parseHvmPlatform } from './hvm.ts';
import { atoi } from '../libc/strtol.ts';
import { parseCpuidSetting } from './cpuid.ts';
import { parseVdispls } from './vdispl.ts';
import { parseVsnds } from './vsnd.ts';
import { DEFAULT_TOPOLOGY, type HostTopology, parseCpuRange } from './cpumap.ts';
import type { DomainType, LibxlDeviceDisk, LibxlDomainConfig, ShutdownAction } from './types.ts';

export interface BuildOptions {
  /** config file name as given on the command line (used in messages) */
  filename: string;
  /** host pCPUs and NUMA nodes (cpumaps are sized from this); default 8 pCPUs, 1 node */
  host?: HostTopology;
  /** xl.conf settings that feed the config */
  xlConf?: {
    claimMode?: boolean; runHotplugScripts?: boolean; vifDefaults?: VifDefaults; blkdevStart?: string;
    maxGrantFrames?: number; maxMaptrackFrames?: number;
  };
  /** UUID source when the config has none (default: random v4) */
  generateUuid?: () => string;
  /** 16 bytes for ms_vm_genid="generate" (default: random) */
  generateVmGenid?: () => number[];
}

export interface BuildResult {
  config: LibxlDomainConfig;
  /** lines xl prints to stderr while parsing (warnings), in order */
  warnings: string[];
  /** xenlab extensions that real xl ignores */
  extras: { workload?: string };
}

const ACTIONS: Record<string, ShutdownAction> = {
  destroy: 'destroy', restart: 'restart', 'rename-restart': 'restart_rename', preserve: 'preserve',
  'coredump-destroy': 'coredump_destroy', 'coredump-restart': 'coredump_restart', 'soft-reset': 'soft_reset',
};

const INT_MAX = 2147483647n;
const XENFIRMWAREDIR = '/usr/lib/xen-4.17/boot';

/**
 * libxl's <enum>_from_string (any case): null when `s` is no value of the enum, undefined for
 * the first value (the default, which libxl's JSON leaves out), else the value.
 */
function enumFromString(s: string, values: readonly string[]): string | undefined | null {
  const i = values.indexOf(s.toLowerCase());
  return i < 0 ? null : i === 0 ? undefined : values[i];
}

/** strncmp(buf, word, strlen(buf)) == 0: `buf` is a prefix of `word` (the empty string matches). */
const prefixOf = (buf: string, word: string) => word.startsWith(buf);

export function buildDomainConfig(cfg: XlCfg, opts: BuildOptions): BuildResult {
  const r = new CfgReader(cfg);
  const { sink, fail } = r;
  const host = opts.host ?? DEFAULT_TOPOLOGY;
  const conf = opts.xlConf ?? {};
  const str = (k: string) => r.str(k);
  const long = (k: string) => r.long(k);
  const defbool = (k: string) => r.defbool(k);
  const quietLong = (k: string) => r.quietLong(k);

  const c: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  const sched: Record<string, unknown> = {};
  const d: Record<string, unknown> = {};

  const initSeclabel = str('init_seclabel');
  if (initSeclabel !== undefined) c.ssid_label = initSeclabel;
  const seclabel = str('seclabel');
  if (seclabel !== undefined) {
    if (c.ssid_label !== undefined) b.exec_ssid_label = seclabel;
    else c.ssid_label = seclabel;
  }
  c.run_hotplug_scripts = db(conf.runHotplugScripts ?? true);

  let type: DomainType | undefined;
  const typeStr = str('type');
  if (typeStr !== undefined) {
    if (prefixOf(typeStr, 'hvm')) type = 'hvm';
    else if (prefixOf(typeStr, 'pv')) type = 'pv';
    else if (prefixOf(typeStr, 'pvh')) type = 'pvh';
    else fail(`Invalid domain type ${typeStr}.`);
  }
  const builder = str('builder');
  if (builder !== undefined) {
    let bt: DomainType = 'pv';
    if (prefixOf(builder, 'hvm')) bt = 'hvm';
    else if (prefixOf(builder, 'generic')) bt = 'pv';
    else fail(`Invalid domain type ${builder}.`);
    if (type !== undefined && type !== bt) fail('Contradicting "builder" and "type" options specified.');
    type = bt;
  }
  const domType: DomainType = type ?? 'pv';
  c.type = domType;
  c.hap = defbool('hap');

  const name = str('name');
  if (name === undefined) fail('Domain name must be specified.');
  c.name = name;

  const uuid = str('uuid');
  if (uuid !== undefined) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(uuid)) fail(`Failed to parse UUID: ${uuid}`);
    c.uuid = uuid.toLowerCase();
  } else {
    c.uuid = (opts.generateUuid ?? randomUUID)();
  }
  if (c.uuid === '00000000-0000-0000-0000-000000000000') c.uuid = undefined; // libxl omits the nil uuid
  c.oos = defbool('oos');
  const pool = str('pool');
  if (pool !== undefined) c.pool_name = pool;

  const pv: Record<string, unknown> = {};
  const pvh: Record<string, unknown> = {};
  const hvm: Record<string, unknown> = {};
  const hvmVga: Record<string, unknown> = {};
  const hvmVnc: Record<string, unknown> = {};
  const hvmSdl: Record<string, unknown> = {};
  const hvmRdm: Record<string, unknown> = {};
  const hvmSpice: Record<string, unknown> = {};

  if (domType === 'pvh') {
    pvh.pvshim = defbool('pvshim');
    pvh.pvshim_path = str('pvshim_path');
    pvh.pvshim_cmdline = str('pvshim_cmdline');
    pvh.pvshim_extra = str('pvshim_extra');
  }
  if (conf.blkdevStart !== undefined) b.blkdev_start = conf.blkdevStart;

  for (const [key, field] of [['cpu_weight', 'weight'], ['cap', 'cap'], ['period', 'period'], ['slice', 'slice'],
    ['latency', 'latency'], ['extratime', 'extratime']] as const) {
    const v = long(key);
    if (v !== undefined) sched[field] = v;
  }

  b.target_memkb = r.memkb('memory');
  b.max_memkb = r.memkb('maxmem');

  let vcpus = 0;
  const vcpusVal = long('vcpus');
  if (vcpusVal !== undefined) {
    if (vcpusVal < 0) fail('Unable to allocate cpumap');
    vcpus = vcpusVal;
    if (vcpus > 0) b.avail_vcpus = Array.from({ length: vcpus }, (_, i) => i);
  }
  const maxvcpus = long('maxvcpus');
  let maxVcpus = maxvcpus ?? 0;

  const arch_arm: Record<string, unknown> = {};
  const vuart = str('vuart');
  if (vuart !== undefined) {
    const v = enumFromString(vuart, ['unknown', 'sbsa_uart']);
    if (v === null) fail(`ERROR: invalid value "${vuart}" for "vuart"`);
    arch_arm.vuart = v;
  }

  const vnuma = parseVnuma(cfg, sink, fail, host, maxVcpus, b.max_memkb as number | bigint | undefined);
  if (vnuma) {
    b.vnuma_nodes = vnuma.nodes;
    maxVcpus = vnuma.maxVcpus;
    b.max_memkb = vnuma.maxMemkb;
    if (vnuma.pinned) b.numa_placement = 'False';
  }

  if (b.max_memkb === undefined) b.max_memkb = b.target_memkb;
  if (maxVcpus === 0) maxVcpus = vcpus;
  if (maxVcpus < vcpus) fail('xl: maxvcpus < vcpus');
  if (maxVcpus !== 0) b.max_vcpus = maxVcpus;

  const affinity = (key: string, isHard: boolean) => {
    const list = getList(cfg, key, sink, true);
    const buf = list ? undefined : getString(cfg, key, sink);
    if (!list && buf === undefined) return;
    const maps: number[][] = [];
    const one = (spec: string) => {
      const set = new Set<number>();
      const e = parseCpuRange(spec, set, host);
      if (e) fail(e);
      return [...set].sort((x, y) => x - y);
    };
    if (buf !== undefined) {
      // the string is parsed even when there is no vCPU to give it to
      const m = one(buf);
      for (let i = 0; i < maxVcpus; i++) maps.push(m);
      if (!isHard) b.numa_placement = 'False';
    } else {
      const n = Math.min(list!.length, maxVcpus);
      for (let j = 0; j < n; j++) {
        const item = listItem(list!, j);
        // a nested list stops the walk and leaves the remaining maps empty
        if (item === null) { for (; j < n; j++) maps.push([]); break; }
        maps.push(one(item));
      }
      b.numa_placement = 'False';
    }
    if (maps.length) b[isHard ? 'vcpu_hard_affinity' : 'vcpu_soft_affinity'] = maps;
  };
  affinity('cpus', true);
  affinity('cpus_soft', false);

  const globals: Record<string, number | undefined> = {
    max_grant_frames: conf.maxGrantFrames, max_maptrack_frames: conf.maxMaptrackFrames, max_grant_version: undefined,
  };
  for (const key of ['max_grant_frames', 'max_maptrack_frames', 'max_grant_version']) {
    if (!cfg.has(key)) {
      // not in the domain config: xl.conf's value, if any (libxl's default otherwise)
      const global = globals[key];
      if (global !== undefined && global >= 0) b[key] = global;
      continue;
    }
    const v = getBoundedLong(cfg, key, 0n, INT_MAX, sink, true);
    if (typeof v !== 'bigint') fail(null);
    b[key] = Number(v);
  }
  b.claim_mode = db(conf.claimMode ?? true);

  for (const [key, dflt] of [['on_poweroff', 'destroy'], ['on_reboot', 'restart'], ['on_watchdog', 'destroy'],
    ['on_crash', 'destroy'], ['on_soft_reset', 'soft-reset']] as const) {
    const v = str(key) ?? dflt;
    const action = Object.hasOwn(ACTIONS, v) ? ACTIONS[v] : undefined;
    if (!action) fail(`Unknown ${key} action "${v}" specified`);
    d[key] = action === 'destroy' ? undefined : action; // destroy is libxl's init value
  }

  if (domType === 'pv') pv.e820_host = defbool('e820_host');
  const pciDefaults = {
    msitranslate: (long('pci_msitranslate') ?? 0) !== 0,
    power_mgmt: (long('pci_power_mgmt') ?? 0) !== 0,
    permissive: (long('pci_permissive') ?? 0) !== 0,
    seize: (long('pci_seize') ?? 0) !== 0,
  };
  // Observed behaviour of the 4.17 binary: only a lone "strategy=host" takes effect (with an
  // unset policy printed as null); anything else leaves rdm at its defaults.
  if (str('rdm') === 'strategy=host' && domType === 'hvm') { hvmRdm.strategy = 'host'; hvmRdm.policy = null; }
  const pciList = getList(cfg, 'pci', sink);
  if (pciList) {
    const devs: LibxlDevicePci[] = [];
    for (let i = 0; ; i++) {
      const spec = listItem(pciList, i);
      if (spec === null) break;
      // the per-device policy is copied from the HVM rdm policy, which for PV/PVH reads the
      // zeroed union and so comes out "strict"; for HVM it is unset unless rdm= gave one
      const r = parsePciSpec(spec, { ...pciDefaults, rdm_policy: domType === 'hvm' ? null : 'strict' });
      if (!r.pci) {
        const lines = [...sink];
        const last = `unable to parse PCI_SPEC_STRING \`${spec}' for passthrough`;
        // libxlutil's own message has no newline: it runs into xl's
        lines.push(r.report + last);
        throw new ConfigError(lines, r.status ?? 6);
      }
      devs.push(r.pci);
    }
    if (devs.length) d.pcidevs = devs;
    if (devs.length && domType === 'pv') pv.e820_host = 'True';
  }

  d.dtdevs = extra.parseDtdevs(cfg, sink);

  const passthrough = str('passthrough');
  if (passthrough !== undefined) {
    if (!['default', 'disabled', 'enabled', 'sync_pt', 'share_pt'].includes(passthrough)) fail(`ERROR: unknown passthrough option '${passthrough}'`);
    if (passthrough !== 'default') c.passthrough = passthrough;
  }
  b.shadow_memkb = r.memkb('shadow_memory');
  b.disable_migrate = defbool('nomigrate');

  const TSC = ['default', 'always_emulate', 'native', 'native_paravirt'];
  const tscNum = quietLong('tsc_mode');
  if (tscNum !== undefined) {
    const s = TSC[tscNum];
    sink.push('WARNING: specifying "tsc_mode" as an integer is deprecated. Please use the named parameter variant. ' +
      (s ? `e.g. tsc_mode="${s}"` : ''));
    if (tscNum < 0 || tscNum > 3) fail(`ERROR: invalid value ${tscNum} for "tsc_mode"`);
    if (tscNum !== 0) b.tsc_mode = s;
  } else {
    const tsc = str('tsc_mode');
    if (tsc !== undefined) {
      sink.push(`got a tsc mode string: "${tsc}"`);
      const idx = TSC.indexOf(tsc);
      if (idx < 0) fail(`ERROR: invalid value "${tsc}" for "tsc_mode"`);
      if (idx !== 0) b.tsc_mode = tsc;
    }
  }
  const rtc = long('rtc_timeoffset');
  if (rtc) b.rtc_timeoffset = rtc;
  if (long('vncviewer') !== undefined) {
    sink.push('WARNING: ignoring "vncviewer" option. Use "-V" option of "xl create" to automatically spawn vncviewer.');
  }
  b.localtime = defbool('localtime');
  b.video_memkb = r.memkb('videoram');
  const evtchn = long('max_event_channels');
  if (evtchn) b.event_channels = evtchn;

  let kernel = str('kernel');
  b.ramdisk = str('ramdisk');
  b.device_tree = str('device_tree');
  b.cmdline = parseCmdline(cfg, sink);
  c.driver_domain = defbool('driver_domain');
  b.acpi = defbool('acpi');
  const bootloader = str('bootloader');
  b.bootloader = bootloader;
  const bargs = getStringList(cfg, 'bootloader_args', sink, true);
  if (bargs) {
    if (bargs.length) b.bootloader_args = bargs.filter((a): a is string => a !== null);
  } else if (cfg.has('bootloader_args')) {
    const s = str('bootloader_args');
    if (s !== undefined) {
      sink.push('WARNING: Specifying "bootloader_args" as a string is deprecated. Please use a list of arguments.');
      const parts = s.split(/[ \t\n]+/).filter(Boolean);
      b.bootloader_args = parts.length ? parts : [s];
    }
  }

  const TIMER = ['delay_for_missed_ticks', 'no_delay_for_missed_ticks', 'no_missed_ticks_pending', 'one_missed_tick_pending'];
  const timerNum = quietLong('timer_mode');
  if (timerNum !== undefined) {
    if (domType === 'pv') fail('ERROR: "timer_mode" option is not supported for PV guests.', 3);
    const s = TIMER[timerNum];
    sink.push('WARNING: specifying "timer_mode" as an integer is deprecated. Please use the named parameter variant. ' +
      (s ? `e.g. timer_mode="${s}"` : ''));
    if (timerNum < 0 || timerNum > 3) fail(`ERROR: invalid value ${timerNum} for "timer_mode"`);
    b.timer_mode = s;
  } else {
    const t = str('timer_mode');
    if (t !== undefined) {
      if (domType === 'pv') fail('ERROR: "timer_mode" option is not supported for PV guests.', 3);
      if (!TIMER.includes(t)) fail(`ERROR: invalid value "${t}" for "timer_mode"`);
      b.timer_mode = t;
    }
  }
  b.nested_hvm = defbool('nestedhvm');

  if (domType === 'hvm') {
    kernel = parseHvmPlatform(r, hvm, b, kernel, opts.generateVmGenid);
  } else {
    const fw = str('firmware');
    if (fw !== undefined) {
      if (kernel !== undefined) fail('ERROR: both kernel and firmware specified');
      if (!prefixOf(fw, 'pvgrub32') && !prefixOf(fw, 'pvgrub64')) fail('ERROR: only pvgrub{32|64} supported as firmware options');
      kernel = `${XENFIRMWAREDIR}/${fw}.bin`;
    }
    if (bootloader === undefined && kernel === undefined) fail('Neither kernel nor bootloader specified');
  }
  b.kernel = kernel;

  const ALTP2M = ['disabled', 'mixed', 'external', 'limited'];
  const altNum = quietLong('altp2m');
  if (altNum !== undefined) {
    if (altNum < 0 || altNum > 3) fail(`ERROR: invalid value ${altNum} for "altp2m"`);
    if (altNum !== 0) b.altp2m = ALTP2M[altNum];
  } else {
    const a = str('altp2m');
    if (a !== undefined) {
      if (!ALTP2M.includes(a)) fail(`ERROR: invalid value "${a}" for "altp2m"`);
      if (a !== 'disabled') b.altp2m = a;
    }
  }
  const vmtrace = quietLong('vmtrace_buf_kb');
  if (vmtrace) b.vmtrace_buf_kb = vmtrace;

  b.ioports = extra.parseIoports(cfg, sink, fail);
  b.irqs = extra.parseIrqs(cfg, sink, fail);
  b.iomem = extra.parseIomem(cfg, sink, fail);

  const diskList = getList(cfg, 'disk', sink);
  if (diskList) {
    const disks: LibxlDeviceDisk[] = [];
    for (let i = 0; ; i++) {
      const spec = listItem(diskList, i);
      if (spec === null) break;
      const r = parseDiskSpec([spec], cfg.source);
      sink.push(...r.errors);
      if (!r.disk) fail(null);
      disks.push(r.disk!);
    }
    if (disks.length) d.disks = disks;
  }

  d.p9s = extra.parseP9s(cfg, sink, fail);
  d.vtpms = extra.parseVtpms(cfg, sink, fail);
  d.vdispls = parseVdispls(cfg, sink, fail);
  d.pvcallsifs = extra.parsePvcalls(cfg, sink, fail);
  d.vsnds = parseVsnds(cfg, sink, fail);
  d.channels = extra.parseChannels(cfg, sink, fail);

  const vifList = getList(cfg, 'vif', sink);
  if (vifList) {
    const nics: LibxlDeviceNic[] = [];
    for (let i = 0; ; i++) {
      const spec = listItem(vifList, i);
      if (spec === null) break;
      try {
        const r = parseVifConfigString(spec, i, cfg.source, conf.vifDefaults);
        sink.push(...r.messages);
        nics.push(r.nic);
      } catch (e) {
        if (!(e instanceof VifError)) throw e;
        sink.push(...e.messages);
        fail(null, e.exitCode);
      }
    }
    if (nics.length) d.nics = nics;
  }
  if (getList(cfg, 'vif2', sink)) sink.push('WARNING: vif2: netchannel2 is deprecated and not supported by xl');

  const vfbs: Record<string, unknown>[] = [];
  const vkbs: Record<string, unknown>[] = [];
  const vfbList = getList(cfg, 'vfb', sink);
  if (vfbList) {
    for (let i = 0; ; i++) {
      const spec = listItem(vfbList, i);
      if (spec === null) break;
      vfbs.push(parseVfb(spec, i));
      vkbs.push({ devid: i });
    }
  }

  d.usbctrls = extra.parseUsbctrls(cfg, sink, fail);
  d.usbdevs = extra.parseUsbdevs(cfg, sink, fail);
  b.cpuid = parseCpuidSetting(cfg, sink);

  const dm = str('device_model');
  if (dm !== undefined) {
    sink.push('WARNING: ignoring device_model directive.',
      'WARNING: Use "device_model_override" instead if you really want a non-default device_model');
    if (dm.includes('stubdom-dm')) {
      sink.push(domType === 'hvm'
        ? 'WARNING: Or use "device_model_stubdomain_override" if you  want to enable stubdomains'
        : 'WARNING: ignoring "device_model_stubdomain_override" directive for pv guest');
    }
  }
  b.device_model = str('device_model_override');
  const dmv = str('device_model_version');
  if (dmv !== undefined) {
    if (dmv !== 'qemu-xen-traditional' && dmv !== 'qemu-xen') fail(`Unknown device_model_version "${dmv}" specified`);
    b.device_model_version = dmv.replaceAll('-', '_');
  } else if (b.device_model !== undefined) {
    sink.push('WARNING: device model override given without specific DM version');
  }
  b.device_model_stubdomain = defbool('device_model_stubdomain_override');
  b.device_model_ssid_label = str('device_model_stubdomain_seclabel');
  b.device_model_user = str('device_model_user');
  b.stubdomain_kernel = str('stubdomain_kernel');
  b.stubdomain_ramdisk = str('stubdomain_ramdisk');
  b.stubdomain_memkb = r.memkb('stubdomain_memory');
  for (const [key, field] of [['device_model_args', 'extra'], ['device_model_args_pv', 'extra_pv'], ['device_model_args_hvm', 'extra_hvm']]) {
    const args = getStringList(cfg, key, sink);
    if (args === undefined && cfg.has(key)) fail(`xl: Unable to parse ${key}.`, 3);
    if (args?.length) b[field] = args.filter((a): a is string => a !== null);
  }

  if (domType === 'pv' && vfbs.length === 0) {
    const vnc = long('vnc') ?? 0;
    if (vnc) {
      const v = topLevelVnc(cfg, sink);
      const s = topLevelSdl(cfg, sink);
      vfbs.push(ordered({ devid: 0, vnc: v, sdl: s, keymap: str('keymap') }, ['devid', 'vnc', 'sdl', 'keymap']));
      vkbs.push({ devid: 0 });
    }
  } else if (domType === 'hvm') {
    Object.assign(hvmVnc, topLevelVnc(cfg, sink));
    Object.assign(hvmSdl, topLevelSdl(cfg, sink));
  }
  if (vfbs.length) d.vfbs = vfbs;
  b.dm_restrict = defbool('dm_restrict');

  if (domType === 'hvm') parseHvmDevices(r, hvm, hvmVga, hvmSpice, hvmVnc);

  // Arm-only settings that xl still parses (and libxl ignores) on x86
  for (const [key, values] of [['gic_version', ['default', 'v2', 'v3']], ['tee', ['none', 'optee']]] as const) {
    const v = getString(cfg, key, sink, true);
    if (v === undefined) continue;
    const e = enumFromString(v, values);
    if (e === null) fail(`Unknown ${key} "${v}" specified`, 3);
    if (key === 'gic_version') arch_arm.gic_version = e;
    else b.tee = e;
  }

  vkbs.push(...extra.parseVkbs(cfg, sink, fail, vkbs.length) ?? []);
  if (vkbs.length) d.vkbs = vkbs;

  c.xend_suspend_evtchn_compat = defbool('xend_suspend_evtchn_compat');
  const arch_x86: Record<string, unknown> = {};
  const msr = getDefbool(cfg, 'msr_relaxed', sink);
  if (msr !== undefined) {
    arch_x86.msr_relaxed = db(msr);
    sink.push('WARNING: msr_relaxed will be removed in future versions.',
      'If it fixes an issue you are having please report to xen-devel@lists.xenproject.org.');
  }

  b.vpmu = defbool('vpmu');

  const workload = getString(cfg, 'workload', [], true);

  // ---- assemble in libxl's IDL order ------------------------------------------------------
  b.sched_params = ordered(sched, ['sched', 'weight', 'cap', 'period', 'extratime', 'slice', 'latency', 'budget']);
  if (domType === 'pv') b['type.pv'] = ordered(pv, ['e820_host']);
  else if (domType === 'pvh') b['type.pvh'] = ordered(pvh, ['pvshim', 'pvshim_path', 'pvshim_cmdline', 'pvshim_extra']);
  else {
    hvm.vga = ordered(hvmVga, ['kind']);
    hvm.vnc = ordered(hvmVnc, ['enable', 'listen', 'passwd', 'display', 'findunused']);
    hvm.sdl = ordered(hvmSdl, ['enable', 'opengl', 'display', 'xauthority']);
    hvm.spice = ordered(hvmSpice, ['enable', 'port', 'tls_port', 'host', 'disable_ticketing', 'passwd', 'agent_mouse',
      'vdagent', 'clipboard_sharing', 'usbredirection', 'image_compression', 'streaming_video']);
    hvm.rdm = ordered(hvmRdm, ['strategy', 'policy']);
    b['type.hvm'] = ordered(hvm, HVM_ORDER);
  }
  b.arch_arm = ordered(arch_arm, ['gic_version', 'vuart']);
  b.arch_x86 = arch_x86;

  const config = {
    c_info: ordered(c, C_INFO_ORDER),
    b_info: ordered(b, B_INFO_ORDER),
    ...ordered(d, DEVICE_ORDER),
  } as unknown as LibxlDomainConfig;
  return { config, warnings: sink, extras: workload !== undefined ? { workload } : {} };
}

const DEVICE_ORDER = ['disks', 'nics', 'pcidevs', 'rdms', 'dtdevs', 'vfbs', 'vkbs', 'virtios', 'vtpms', 'p9s', 'pvcallsifs',
  'vdispls', 'vsnds', 'channels', 'usbctrls', 'usbdevs', 'on_poweroff', 'on_reboot', 'on_watchdog', 'on_crash', 'on_soft_reset'];

const C_INFO_ORDER = ['type', 'hap', 'oos', 'ssidref', 'ssid_label', 'name', 'domid', 'uuid', 'xsdata', 'platformdata',
  'poolid', 'pool_name', 'run_hotplug_scripts', 'driver_domain', 'passthrough', 'xend_suspend_evtchn_compat'];

export const B_INFO_ORDER = ['max_vcpus', 'avail_vcpus', 'cpumap', 'nodemap', 'vcpu_hard_affinity', 'vcpu_soft_affinity',
  'numa_placement', 'tsc_mode', 'max_memkb', 'target_memkb', 'video_memkb', 'shadow_memkb', 'iommu_memkb',
  'rtc_timeoffset', 'exec_ssidref', 'exec_ssid_label', 'localtime', 'disable_migrate', 'cpuid', 'blkdev_start',
  'vnuma_nodes', 'max_grant_frames', 'max_maptrack_frames', 'max_grant_version', 'device_model_version',
  'device_model_stubdomain', 'stubdomain_memkb', 'stubdomain_kernel', 'stubdomain_cmdline', 'stubdomain_ramdisk',
  'device_model', 'device_model_ssidref', 'device_model_ssid_label', 'device_model_user', 'extra', 'extra_pv',
  'extra_hvm', 'sched_params', 'ioports', 'irqs', 'iomem', 'claim_mode', 'event_channels', 'kernel', 'cmdline',
  'ramdisk', 'device_tree', 'acpi', 'bootloader', 'bootloader_args', 'timer_mode', 'nested_hvm', 'apic',
  'dm_restrict', 'tee', 'type.pv', 'type.pvh', 'type.hvm', 'arch_arm', 'arch_x86', 'altp2m', 'vmtrace_buf_kb', 'vpmu'];

const HVM_ORDER = ['firmware', 'bios', 'pae', 'apic', 'acpi', 'acpi_s3', 'acpi_s4', 'acpi_laptop_slate', 'nx',
  'viridian', 'viridian_enable', 'viridian_disable', 'timeoffset', 'hpet', 'vpt_align', 'mmio_hole_memkb',
  'timer_mode', 'nested_hvm', 'altp2m', 'system_firmware', 'smbios_firmware', 'acpi_firmware', 'hdtype', 'nographic',
  'vga', 'vnc', 'keymap', 'sdl', 'spice', 'gfx_passthru', 'gfx_passthru_kind', 'serial', 'boot', 'usb', 'usbversion',
  'usbdevice', 'vkb_device', 'soundhw', 'xen_platform_pci', 'usbdevice_list', 'vendor_device', 'ms_vm_genid',
  'serial_list', 'rdm', 'rdm_mem_boundary_memkb', 'mca_caps'];

/** cmdline=, else root= and extra= combined. */
function parseCmdline(cfg: XlCfg, sink: string[]): string | undefined {
  const buf = getString(cfg, 'cmdline', sink);
  const root = getString(cfg, 'root', sink);
  const extra = getString(cfg, 'extra', sink);
  if (buf !== undefined) {
    if (root !== undefined || extra !== undefined) sink.push('Warning: ignoring root= and extra= in favour of cmdline=');
    return buf;
  }
  if (root !== undefined && extra !== undefined) return `root=${root} ${extra}`;
  if (root !== undefined) return `root=${root}`;
  return extra;
}

function topLevelVnc(cfg: XlCfg, sink: string[]): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  v.enable = db(getDefbool(cfg, 'vnc', sink));
  v.listen = getString(cfg, 'vnclisten', sink);
  v.passwd = getString(cfg, 'vncpasswd', sink);
  const display = getLong(cfg, 'vncdisplay', sink);
  if (display) v.display = display;
  v.findunused = db(getDefbool(cfg, 'vncunused', sink));
  return ordered(v, ['enable', 'listen', 'passwd', 'display', 'findunused']);
}

function topLevelSdl(cfg: XlCfg, sink: string[]): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  s.enable = db(getDefbool(cfg, 'sdl', sink));
  s.opengl = db(getDefbool(cfg, 'opengl', sink));
  s.display = getString(cfg, 'display', sink);
  s.xauthority = getString(cfg, 'xauthority', sink);
  return ordered(s, ['enable', 'opengl', 'display', 'xauthority']);
}

/** One `vfb = [ '...' ]` entry: key=value items; unknown keys ignored, a bare word ends it. */
function parseVfb(spec: string, devid: number): Record<string, unknown> {
  const vnc: Record<string, unknown> = {};
  const sdl: Record<string, unknown> = {};
  let keymap: string | undefined;
  for (const raw of spec.split(',')) {
    if (raw === '') continue;
    const p = raw.replace(/^ +/, '');
    const eq = p.indexOf('=');
    if (eq < 0) break;
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    switch (k) {
      case 'vnc': vnc.enable = db(atoi(v) !== 0); break;
      case 'vnclisten': vnc.listen = v; break;
      case 'vncpasswd': vnc.passwd = v; break;
      case 'vncdisplay': vnc.display = atoi(v) || undefined; break;
      case 'vncunused': vnc.findunused = db(atoi(v) !== 0); break;
      case 'keymap': keymap = v; break;
      case 'sdl': sdl.enable = db(atoi(v) !== 0); break;
      case 'opengl': sdl.opengl = db(atoi(v) !== 0); break;
      case 'display': sdl.display = v; break;
      case 'xauthority': sdl.xauthority = v; break;
    }
  }
  return ordered({
    devid,
    vnc: ordered(vnc, ['enable', 'listen', 'passwd', 'display', 'findunused']),
    sdl: ordered(sdl, ['enable', 'opengl', 'display', 'xauthority']),
    keymap,
  }, ['devid', 'vnc', 'sdl', 'keymap']);
}

