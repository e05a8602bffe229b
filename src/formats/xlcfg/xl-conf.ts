// The global xl.conf (xl.conf(5)), read with the same parser and getters as domain configs.
// Unset keys keep xl's built-in defaults.

import { getLong, getString, parseXlCfg } from './config.ts';

export interface XlConf {
  /** "auto" is resolved by the caller (off when the Xen command line has dom0_mem=) */
  autoballoon: 'on' | 'off' | 'auto';
  runHotplugScripts: boolean;
  lockfile: string;
  vifDefaults: { script?: string; bridge?: string; gatewaydev?: string; backend?: string };
  outputFormat: 'json' | 'sxp';
  blkdevStart?: string;
  claimMode: boolean;
  remusNetbufscript?: string;
  coloProxyscript?: string;
  maxGrantFrames?: number;
  maxMaptrackFrames?: number;
  vmCpumask?: string;
  vmPvCpumask?: string;
  vmHvmCpumask?: string;
  domidPolicy: 'xen' | 'random';
}

export const DEFAULT_XL_CONF: XlConf = {
  autoballoon: 'auto', runHotplugScripts: true, lockfile: '/var/lock/xl', vifDefaults: {},
  outputFormat: 'json', claimMode: true, domidPolicy: 'xen',
};

export interface XlConfResult {
  conf: XlConf;
  /** what xl prints to stderr while reading it (some texts lack a newline, as in xl) */
  stderr: string;
  /** xl stops (exit 1) when the file does not parse */
  fatal: boolean;
}

export function parseXlConf(text: string, filename = '/etc/xen/xl.conf'): XlConfResult {
  const parsed = parseXlCfg(text, filename);
  if ('errors' in parsed) {
    return { conf: DEFAULT_XL_CONF, fatal: true,
      stderr: [...parsed.errors, 'Failed to parse config file: Invalid argument'].map(l => l + '\n').join('') };
  }
  const cfg = parsed.cfg;
  const sink: string[] = [];
  let stderr = '';
  const flush = () => { stderr += sink.splice(0).map(l => l + '\n').join(''); };
  const str = (k: string) => { const v = getString(cfg, k, sink); flush(); return v; };
  const long = (k: string) => { const v = getLong(cfg, k, sink); flush(); return v; };
  const conf: XlConf = { ...DEFAULT_XL_CONF, vifDefaults: {} };

  const ab = str('autoballoon');
  if (ab !== undefined) {
    if (ab === 'on' || ab === '1') conf.autoballoon = 'on';
    else if (ab === 'off' || ab === '0') conf.autoballoon = 'off';
    else if (ab === 'auto') conf.autoballoon = 'auto';
    else stderr += 'invalid autoballoon option';
  }
  const rhs = long('run_hotplug_scripts');
  if (rhs !== undefined) conf.runHotplugScripts = rhs !== 0;
  conf.lockfile = str('lockfile') ?? conf.lockfile;
  const vifscript = str('vifscript');
  if (vifscript !== undefined) {
    stderr += 'the global config option vifscript is deprecated, please switch to vif.default.script\n';
    conf.vifDefaults.script = vifscript;
  }
  conf.vifDefaults.script = str('vif.default.script') ?? conf.vifDefaults.script;
  const defaultbridge = str('defaultbridge');
  if (defaultbridge !== undefined) {
    stderr += 'the global config option defaultbridge is deprecated, please switch to vif.default.bridge\n';
    conf.vifDefaults.bridge = defaultbridge;
  }
  conf.vifDefaults.bridge = str('vif.default.bridge') ?? conf.vifDefaults.bridge;
  conf.vifDefaults.gatewaydev = str('vif.default.gatewaydev');
  conf.vifDefaults.backend = str('vif.default.backend');
  const of = str('output_format');
  if (of === 'json' || of === 'sxp') conf.outputFormat = of;
  else if (of !== undefined) stderr += `invalid default output format "${of}"\n`;
  conf.blkdevStart = str('blkdev_start');
  const cm = long('claim_mode');
  if (cm !== undefined) conf.claimMode = cm !== 0;
  conf.remusNetbufscript = str('remus.default.netbufscript');
  conf.coloProxyscript = str('colo.default.proxyscript');
  conf.maxGrantFrames = long('max_grant_frames');
  conf.maxMaptrackFrames = long('max_maptrack_frames');
  conf.vmCpumask = str('vm.cpumask');
  conf.vmPvCpumask = str('vm.pv.cpumask');
  conf.vmHvmCpumask = str('vm.hvm.cpumask');
  const dp = str('domid_policy');
  if (dp === 'xen' || dp === 'random') conf.domidPolicy = dp;
  dropUndefined(conf.vifDefaults);
  dropUndefined(conf);
  return { conf, stderr, fatal: false };
}

function dropUndefined(o: object): void {
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Record<string, unknown>)[k];
}
