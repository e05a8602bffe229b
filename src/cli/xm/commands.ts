// xm's commands (those of Xen 4.4's xm, the last one) and what each becomes: the xl command that
// kept it compatible, with the option words that changed translated, or why xl has no equivalent
// (the xm→xl notes: xend's managed domains, SXP output, vnets, ACM, tmem and SEDF are gone).

/** An xl command line to run, or why there is none (for the whole command, or for one option of it). */
export type XmRoute = { xl: string[] } | { unsupported: string; option?: string };

export interface XmCommand {
  name: string;
  route(args: string[]): XmRoute;
}

/** Option words come before `--`; as with xm's gnu_getopt, they may follow the positionals. */
function optionWords(args: string[]): string[] {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).filter(a => a.startsWith('-') && a !== '-');
}

/** Does `args` give the short option (alone, grouped, or with its value attached) or the long one? */
function has(args: string[], short: string | null, long: string): boolean {
  return optionWords(args).some(w => w.startsWith('--')
    ? w === `--${long}` || w.startsWith(`--${long}=`)
    : short !== null && (w[1] === short || (/^-[a-zA-Z]+$/.test(w) && w.includes(short))));
}

/** `args` without the flag (no value), also taken out of a group of short flags. */
function without(args: string[], short: string, long: string): string[] {
  const options = new Set(optionWords(args));
  return args.flatMap(a => {
    if (!options.has(a)) return [a];
    if (a === `--${long}`) return [];
    if (/^-[a-zA-Z]+$/.test(a) && a.includes(short)) return a.length === 2 ? [] : [a.replace(short, '')];
    return [a];
  });
}

const same = (name: string): XmCommand => ({ name, route: args => ({ xl: [name, ...args] }) });
const gone = (why: string) => (name: string): XmCommand => ({ name, route: () => ({ unsupported: why }) });

/** The first option of `args` that xl has no equivalent for, as an XmRoute, else undefined. */
function refuse(args: string[], options: Refused[]): XmRoute | undefined {
  const hit = options.find(([s, l]) => has(args, s, l));
  return hit && { unsupported: hit[2], option: `--${hit[1]}` };
}
type Refused = [short: string | null, long: string, why: string];

/** A command xl kept, but not these options of it. */
const sameExcept = (name: string, options: Refused[]): XmCommand =>
  ({ name, route: args => refuse(args, options) ?? { xl: [name, ...args] } });

const SXP = 'it prints xend\'s SXP, which xl has no form of';
const MANAGED = 'xend\'s managed domains are gone; xl keeps no domain definitions (start a domain from its config file with xm create, or use libvirt)';
const ACM = 'the ACM security module left Xen with xend (xl speaks XSM/FLASK: getenforce, setenforce, loadpolicy)';
const PVUSB = 'xl\'s PVUSB model differs (xl usbctrl-attach, usbdev-attach, usb-list)';
const POOLS = 'managed cpupools were a xend feature (xl cpupool-create makes and activates one, xl cpupool-destroy removes it)';

export const xmCommands: readonly XmCommand[] = [
  sameExcept('console', [['q', 'quiet', 'xl console always reports a domain that does not exist']]),
  same('create'),
  ...['new', 'delete', 'start'].map(gone(MANAGED)),
  ...['destroy', 'domid', 'domname'].map(same),
  sameExcept('dump-core', [['L', 'live', 'xl dump-core has no choice of pausing'],
    ['C', 'crash', 'xl dump-core never crashes the domain (xl destroy it after the dump)']]),
  sameExcept('list', [['l', 'long', `${SXP} (xl list -l prints JSON)`], [null, 'label', ACM],
    [null, 'state', 'xl list cannot select domains by state']]),
  ...['mem-max', 'mem-set'].map(same),
  { name: 'migrate', route: args => refuse(args, [
    ['p', 'port', 'xl migrates over ssh (xl migrate -s), not to xend\'s relocation port'],
    ['r', 'resource', 'xl migrate cannot limit its bandwidth'], ['n', 'node', 'xl migrate cannot choose the target NUMA node'],
    [null, 'ssl', 'xl migrate secures the stream with ssh (xl migrate -s)'],
    ['c', 'change_home_server', 'there is no home server without xend'],
  ]) ?? { xl: ['migrate', ...without(args, 'l', 'live')] } }, // xl migrates live always
  ...['pause', 'reboot', 'rename'].map(same),
  { name: 'reset', route: args => ({ xl: ['trigger', ...args, 'reset'] }) },
  same('restore'),
  gone(`${MANAGED}; xl restore <CheckpointFile> resumes a saved domain`)('resume'),
  same('save'),
  gone('xm\'s interactive shell talked to xend, which is gone')('shell'),
  { name: 'shutdown', route: args => {
    const halt = without(args, 'H', 'halt'); // what xl shutdown does anyway
    return has(args, 'R', 'reboot') ? { xl: ['reboot', ...without(halt, 'R', 'reboot')] } : { xl: ['shutdown', ...halt] };
  } },
  gone(`${MANAGED}; xl save <Domain> <CheckpointFile> suspends a domain to a file`)('suspend'),
  ...['sysrq', 'trigger', 'top', 'unpause', 'uptime', 'vcpu-list', 'vcpu-pin', 'vcpu-set', 'vncviewer', 'debug-keys', 'dmesg', 'info'].map(same),
  gone('xl keeps no daemon log (see /var/log/xen/xl-<Domain>.log)')('log'),
  gone('xend\'s XML-RPC is gone (libvirt is the remote interface)')('serve'),
  ...['sched-credit', 'sched-credit2'].map(same),
  gone('the SEDF scheduler was removed from Xen in 4.6 (sched-credit, sched-credit2, sched-rtds)')('sched-sedf'),
  { name: 'block-attach', route: args => {
    // xm's fifth word is the backend domain; xl takes it as a named disk-spec parameter.
    const [dom, backDev, frontDev, mode, backDom, ...rest] = args;
    return backDom === undefined || rest.length || args.some(a => a.startsWith('-'))
      ? { xl: ['block-attach', ...args] }
      : { xl: ['block-attach', dom!, backDev!, frontDev!, mode!, `backend=${backDom}`] };
  } },
  gone('xl changes only a CD-ROM\'s media (xl cd-insert, xl cd-eject)')('block-configure'),
  same('block-detach'),
  sameExcept('block-list', [['l', 'long', SXP]]),
  same('network-attach'),
  sameExcept('network-detach', [['f', 'force', 'xl network-detach always waits for the guest to release the device']]),
  sameExcept('network-list', [['l', 'long', SXP]]),
  ...['vtpm-list', 'pci-attach', 'pci-detach', 'pci-list'].map(same),
  { name: 'pci-list-assignable-devices', route: args => ({ xl: ['pci-assignable-list', ...args] }) },
  ...['scsi-attach', 'scsi-detach', 'scsi-list'].map(gone('xl has no PV SCSI devices')),
  ...['usb-attach', 'usb-detach', 'usb-list', 'usb-list-assignable-devices', 'usb-hc-create', 'usb-hc-destroy'].map(gone(PVUSB)),
  ...['vnet-list', 'vnet-create', 'vnet-delete'].map(gone('vnets were a xend feature; xl leaves host networking to the distribution')),
  same('cpupool-create'),
  ...['cpupool-new', 'cpupool-start', 'cpupool-delete'].map(gone(POOLS)),
  ...['cpupool-destroy', 'cpupool-list', 'cpupool-cpu-add', 'cpupool-cpu-remove', 'cpupool-migrate'].map(same),
  ...['tmem-list', 'tmem-thaw', 'tmem-freeze', 'tmem-destroy', 'tmem-set', 'tmem-shared-auth'].map(gone('tmem was removed from Xen in 4.13')),
  ...['labels', 'addlabel', 'rmlabel', 'getlabel', 'dry-run', 'resources', 'dumppolicy', 'setpolicy', 'resetpolicy', 'getpolicy',
    'makepolicy', 'loadpolicy', 'cfgbootpolicy'].map(gone(ACM)),
];

/** xm's old names, which xm ran after a deprecation note. */
export const xmAliases: Readonly<Record<string, string>> = {
  balloon: 'mem-set', 'set-vcpus': 'vcpu-set', 'vif-list': 'network-list',
  'vbd-create': 'block-attach', 'vbd-destroy': 'block-detach', 'vbd-list': 'block-list',
};

/** xm_lookup_cmd: an exact name, else a prefix (two letters or more) matching exactly one command. */
export function lookupXmCommand(name: string): XmCommand | undefined {
  const exact = xmCommands.find(c => c.name === name);
  if (exact || name.length < 2) return exact;
  const matches = xmCommands.filter(c => c.name.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}
