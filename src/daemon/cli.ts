// xenlabd's command line, on yargs: the commands, the machine options of start and run, the
// generated help and a bash completion script (`xenlabd completion`). It parses and validates
// only; what each command does is given by the caller (main.ts). Bad usage exits 2.
import yargs, { type Argv } from 'yargs';
import { DEFAULT_MACHINE, parseSizeMiB, type MachineSpec } from '../machine/host.ts';
import { parseDuration, type ClockMode } from '../machine/clock.ts';
import { DISK_KINDS, type DiskKind } from '../machine/devices.ts';
import { isSchedulerName } from '../hypervisor/sched-factory.ts';
import type { SchedulerName } from '../hypervisor/scheduler.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MachineFileError, parseMachineFile } from '../machine/machine-file.ts';
import { FAULT_KINDS, FAULT_KIND_NAMES, isFaultKind } from '../machine/faults.ts';
import type { FaultAddArgs } from './fault-command.ts';

/** The machine options of start/run, validated; `argv` repeats them for a spawned `xenlabd run`. */
export interface MachineArgs { spec: Partial<MachineSpec>; clock?: ClockMode; argv: string[] }

export interface DaemonCommands {
  run(m: MachineArgs): Promise<void>;
  start(m: MachineArgs, restoreGuests?: string): Promise<void>;
  stop(saveGuests?: string): Promise<void>;
  status(): Promise<void>;
  env(): void;
  clock(): Promise<void>;
  clockAdvance(ns: bigint): Promise<void>;
  /** Extensions: Dom0's lspci and lsusb, and a PF's sriov_numvfs. */
  lspci(o: { numeric: 0 | 1 | 2; verbose: boolean }): Promise<void>;
  lsusb(): Promise<void>;
  /** Extension: Dom0's /proc/interrupts. */
  interrupts(): Promise<void>;
  sriov(pf: string, numVfs: number): Promise<void>;
  faultAdd(a: FaultAddArgs): Promise<void>;
  faultList(): Promise<void>;
  faultClear(id: number | undefined, all: boolean): Promise<void>;
  dom0Restart(): Promise<void>;
}

/** A refused value: yargs reports it through fail() below, which makes it a usage error. */
class Refusal extends Error {}
function refuse(message: string): never { throw new Refusal(message); }

const invalid = (option: string, value: string, hint = ''): never => refuse(`invalid --${option} ${value}${hint}`);

const integer = (option: string, min: number, max: number) => (s: string): number => {
  const n = Number(s);
  return Number.isInteger(n) && n >= min && n <= max ? n : invalid(option, s);
};

const size = (option: string, minMiB: number) => (s: string): number => {
  const m = parseSizeMiB(s);
  return m && m >= minMiB ? m : invalid(option, s);
};

const MACHINE_OPTIONS = {
  host: { type: 'string', requiresArg: true, describe: 'host name (default xenlab)' },
  cpus: { type: 'string', requiresArg: true, describe: 'physical CPUs (default 8)', coerce: integer('cpus', 1, 512) },
  memory: { type: 'string', requiresArg: true, describe: 'RAM, e.g. 16G (default 16G)', coerce: size('memory', 256) },
  'dom0-mem': { type: 'string', requiresArg: true, describe: 'Domain-0 memory (default 2G)', coerce: size('dom0-mem', 128) },
  'dom0-vcpus': { type: 'string', requiresArg: true, describe: "Domain-0 vCPUs, as Xen's dom0_max_vcpus (default 4, at most --cpus)", coerce: integer('dom0-vcpus', 1, 512) },
  disk: {
    type: 'string', requiresArg: true, describe: 'the disk holding the images: nvme or sata (default nvme)',
    coerce: (s: string): DiskKind => (DISK_KINDS as string[]).includes(s) ? s as DiskKind : invalid('disk', s, ' (nvme or sata)'),
  },
  clock: {
    type: 'string', requiresArg: true, describe: 'real or virtual (default real)',
    coerce: (s: string): ClockMode => s === 'real' || s === 'virtual' ? s : invalid('clock', s, ' (real or virtual)'),
  },
  seed: { type: 'string', requiresArg: true, describe: 'seed of the deterministic simulation (default 1)', coerce: integer('seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) },
  sched: {
    type: 'string', requiresArg: true, describe: "Pool-0's scheduler, as Xen's sched= boot option (default credit2)",
    coerce: (s: string): SchedulerName => isSchedulerName(s) ? s : invalid('sched', s, ' (credit, credit2, rtds or null)'),
  },
  machine: {
    type: 'string', requiresArg: true, describe: 'a machine file (JSON, see xenlabd(8)) describing the host; the options above override it',
    coerce: (file: string): { path: string; spec: Partial<MachineSpec> } => {
      const path = resolve(file);
      let text: string;
      try { text = readFileSync(path, 'utf8'); } catch (e) { return refuse(`cannot read machine file ${file}: ${(e as Error).message}`); }
      try { return { path, spec: parseMachineFile(text) }; } catch (e) {
        if (e instanceof MachineFileError) refuse(`machine file ${file}: ${e.message}`);
        throw e;
      }
    },
  },
} as const;

interface MachineValues { machine?: { path: string; spec: Partial<MachineSpec> }; host?: string; cpus?: number; memory?: number; 'dom0-mem'?: number; 'dom0-vcpus'?: number; disk?: DiskKind; clock?: ClockMode; seed?: number; sched?: SchedulerName }

function machineArgs(v: MachineValues): MachineArgs {
  const spec: Partial<MachineSpec> = { ...v.machine?.spec };
  const argv: string[] = v.machine ? ['--machine', v.machine.path] : [];
  if (v.host !== undefined) { spec.hostname = v.host; argv.push('--host', v.host); }
  if (v.cpus !== undefined) { spec.nrCpus = v.cpus; argv.push('--cpus', String(v.cpus)); }
  if (v.memory !== undefined) { spec.memoryMiB = v.memory; argv.push('--memory', `${v.memory}M`); }
  if (v['dom0-mem'] !== undefined) { spec.dom0MemMiB = v['dom0-mem']; argv.push('--dom0-mem', `${v['dom0-mem']}M`); }
  if (v['dom0-vcpus'] !== undefined) { spec.dom0Vcpus = v['dom0-vcpus']; argv.push('--dom0-vcpus', String(v['dom0-vcpus'])); }
  if (v.disk !== undefined) { spec.disk = v.disk; argv.push('--disk', v.disk); }
  if (v.seed !== undefined) { spec.seed = v.seed; argv.push('--seed', String(v.seed)); }
  if (v.sched !== undefined) { spec.sched = v.sched; argv.push('--sched', v.sched); }
  if (v.clock !== undefined) argv.push('--clock', v.clock);
  return { spec, clock: v.clock, argv };
}

const machine = (y: Argv) => y.options(MACHINE_OPTIONS).group(Object.keys(MACHINE_OPTIONS), 'Machine options (used when the host is first created):')
  // Domain-0 cannot have more vCPUs than the machine has pCPUs.
  .check((v: MachineValues) => v['dom0-vcpus'] === undefined || v['dom0-vcpus'] <= (v.cpus ?? v.machine?.spec.nrCpus ?? DEFAULT_MACHINE.nrCpus) || invalid('dom0-vcpus', String(v['dom0-vcpus'])));

// Extensions: the host's shutdown and boot with every guest saved, as Debian's xendomains does.
const SAVE_OPTION = {
  'save-guests': { type: 'string', requiresArg: true, describe: 'first save every guest (xl save) into DIR, one file per domain', normalize: true },
} as const;
const RESTORE_OPTION = {
  'restore-guests': { type: 'string', requiresArg: true, describe: 'then restore every file of DIR (xl restore), removing each once restored', normalize: true },
} as const;

const EPILOG = 'State lives in $XENLAB_HOME (default ${XDG_STATE_HOME:-~/.local/state}/xenlab).\n' +
  "Dom0's LVM (extensions, LVM2's options and output; see xenlabd(8)): lvcreate, lvs, vgs, pvs, lvextend, lvreduce, lvresize, lvremove.";

const FAULT_HELP = 'Kinds:\n' + FAULT_KIND_NAMES.map(k => `  ${`${k} ${FAULT_KINDS[k].unit ?? ''}`.padEnd(22)}${FAULT_KINDS[k].describe}`).join('\n');

/** xenlabd fault add|list|clear (the fault plane, a xenlab extension). */
function faultCommands(y: Argv, commands: DaemonCommands): Argv {
  return y
    .command('add <kind> [value]', 'inject a fault of KIND (with its value: MS, PERCENT or MB)', a => a
      .positional('kind', { type: 'string', coerce: (s: string) => isFaultKind(s) ? s : refuse(`unknown fault kind ${s} (${FAULT_KIND_NAMES.join(', ')})`) })
      .positional('value', { type: 'string', coerce: (s: string) => /^\d+$/.test(s) ? Number(s) : refuse(`invalid fault value ${s} (a whole number)`) })
      .options({
        domain: { type: 'string', requiresArg: true, describe: 'the domain (name or id; memory-pressure and dom0-service-crash: default Domain-0)' },
        device: { type: 'string', requiresArg: true, describe: 'the vbd (vdev or devid), the vif (devid or MAC), or the Dom0 service' },
        for: { type: 'string', requiresArg: true, describe: 'how long, in simulated time (e.g. 10s; default until cleared)', coerce: (s: string) => parseDuration(s) ?? refuse(`invalid --for ${s} (e.g. 10s, 250ms, 2m)`) },
      })
      .check(v => v.domain !== undefined || v.kind === 'memory-pressure' || v.kind === 'dom0-service-crash' || refuse(`fault ${v.kind} needs --domain`))
      .epilog(FAULT_HELP),
    v => commands.faultAdd({ kind: v.kind as string, value: v.value as number | undefined, domain: (v.domain as string | undefined) ?? '0', device: v.device as string | undefined, forNs: v.for as bigint | undefined }))
    .command('list', 'list the faults in force: id, kind, scope, start and end', {}, () => commands.faultList())
    .command('clear [id]', 'end the fault ID now, or every fault (--all)', a => a
      .positional('id', { type: 'string', coerce: (s: string) => /^\d+$/.test(s) ? Number(s) : refuse(`invalid fault id ${s}`) })
      .option('all', { type: 'boolean', describe: 'every fault' })
      .check(v => (v.id === undefined) !== !v.all || refuse('usage: xenlabd fault clear ID|--all')),
    v => commands.faultClear(v.id as number | undefined, !!v.all));
}

export function xenlabdCli(argv: string[], commands: DaemonCommands): Promise<unknown> {
  const cli: Argv = yargs(argv)
    .scriptName('xenlabd')
    .usage('Usage: $0 <command> [options]')
    .command('start', "start the host's daemon in the background (if not running)", y => machine(y).options(RESTORE_OPTION),
      v => commands.start(machineArgs(v as MachineValues), v['restore-guests']))
    .command('run', 'run the daemon in the foreground', machine, v => commands.run(machineArgs(v as MachineValues)))
    .command('stop', 'stop the daemon (domains are kept and come back on the next start)', SAVE_OPTION, v => commands.stop(v['save-guests']))
    .command('status', 'say whether the daemon runs (exit 3 if not), and its host', {}, () => commands.status())
    .command('env', 'print the environment for real Xen clients (XENSTORED_PATH)', {}, () => commands.env())
    .command('clock', 'print the simulated clock', y => y
      .command('advance <duration>', 'advance a virtual clock by DURATION (e.g. 10s, 250ms, 2m)', a => a.positional('duration', {
        type: 'string',
        coerce: (s: string) => parseDuration(s) ?? refuse('usage: xenlabd clock advance DURATION (e.g. 10s, 250ms)'),
      }), v => commands.clockAdvance(v.duration as bigint)), () => commands.clock())
    .command('lspci', "(extension) list Dom0's PCI devices as lspci does", y => y
      .option('n', { type: 'count', describe: 'numbers instead of names (-nn: both), as lspci -n' })
      .option('v', { type: 'boolean', describe: 'verbose, as lspci -v' }),
    v => commands.lspci({ numeric: Math.min(2, v.n as number) as 0 | 1 | 2, verbose: !!v.v }))
    .command('lsusb', "(extension) list the host's USB devices as lsusb does", {}, () => commands.lsusb())
    .command('interrupts', "(extension) print Dom0's /proc/interrupts", {}, () => commands.interrupts())
    .command('sriov <pf> <numvfs>', '(extension) enable NUMVFS virtual functions on an SR-IOV physical function (0 disables them)', a => a
      .positional('pf', { type: 'string', describe: 'the PF, as 0000:03:00.1 or 03:00.1' })
      .positional('numvfs', { type: 'string', coerce: integer('numvfs', 0, 0xffff) }),
    v => commands.sriov(v.pf as string, v.numvfs as number))
    .command('fault', 'inject faults into the running host (extension; see xenlabd(8))', y => faultCommands(y, commands).demandCommand(1, ''))
    .command('dom0', "Dom0's kernel and services (extension; see xenlabd(8))", y => y
      .command('restart', "restart Dom0's kernel and services while the guests run on", {}, () => commands.dom0Restart())
      .demandCommand(1, ''))
    .command('help', 'print this help', {}, () => { cli.showHelp('log'); })
    .completion('completion', 'print a bash completion script (eval "$(xenlabd completion)")')
    .demandCommand(1, '')
    .strict()
    .help().alias('help', 'h')
    .version(false)
    .epilog(EPILOG)
    .fail((msg, err, y) => {
      // yargs hands on a command's own failure as is; a value the coercions refused comes as its
      // YError, one the checks refused as our Refusal.
      if (err && err.name !== 'YError' && !(err instanceof Refusal)) throw err;
      if (err) process.stderr.write(`xenlabd: ${err.message}\n`);
      else {
        y.showHelp('error');
        if (msg) process.stderr.write(`\n${msg}\n`);
      }
      process.exit(2);
    });
  return cli.parseAsync();
}
