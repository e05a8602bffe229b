// The xl command table: the real table's 92 entries (names, help, flags, in the real order)
// joined with our handlers, one module per area. Commands xenlab does not implement yet keep
// their place (so `xl help` and the bash completion stay real) and fail with a clear message.
import { commandSpecs } from './command-specs.ts';
import { formatCommandHelp, type CommandRun, type XlCommand } from './command.ts';
import { lifecycleCommands } from './lifecycle.ts';
import { infoCommands } from './info.ts';
import { vcpuCommands } from './vcpu.ts';
import { schedCommands } from './sched.ts';
import { memoryCommands } from './memory.ts';
import { consoleCommands } from './console.ts';
import { deviceCommands } from './devices.ts';
import { miscCommands } from './misc.ts';
import { triggerCommands } from './trigger.ts';
import { cpupoolCommands } from './cpupool.ts';
import { psrCommands } from './psr.ts';
import { cdromCommands } from './cdrom.ts';
import { pciCommands } from './pci.ts';
import { vdevCommands } from './vdev.ts';
import { usbCommands } from './usb.ts';
import { deviceModelCommands } from './qemu-monitor.ts';
import { devdCommands } from './devd.ts';

/** Save, restore, migration and core dumps load their modules only when run. */
const lazy = (load: () => Promise<Record<string, CommandRun>>) => (name: string): CommandRun =>
  async (ctx, argv, self) => (await load())[name]!(ctx, argv, self);
const saveRestore = lazy(async () => (await import('./saverestore.ts')).saveRestoreCommands);
const migration = lazy(async () => (await import('./migrate.ts')).migrateCommands);
const migrationCommands: Record<string, CommandRun> = {
  save: saveRestore('save'), restore: saveRestore('restore'), migrate: migration('migrate'),
  'migrate-receive': migration('migrate-receive'),
  'dump-core': lazy(async () => (await import('./dump-core.ts')).dumpCoreCommands)('dump-core'),
  remus: lazy(async () => (await import('./remus.ts')).remusCommands)('remus'),
};

const handlers: Record<string, CommandRun> = {
  ...lifecycleCommands, ...infoCommands, ...vcpuCommands, ...schedCommands, ...memoryCommands, ...consoleCommands,
  ...deviceCommands, ...migrationCommands, ...miscCommands,
  ...triggerCommands,
  ...cpupoolCommands,
  ...psrCommands,
  ...cdromCommands,
  ...pciCommands,
  ...vdevCommands,
  ...usbCommands,
  ...deviceModelCommands,
  ...devdCommands,
};

const notImplemented: CommandRun = async (ctx, argv, self) => {
  if (argv.includes('-h') || argv.includes('--help')) { ctx.io.out(self.helpText); return 0; }
  ctx.io.err(`xl ${self.name}: not implemented in xenlab yet\n`);
  return 1;
};

export const commandTable: readonly XlCommand[] = commandSpecs.map(spec => ({
  ...spec,
  helpText: formatCommandHelp(spec),
  run: handlers[spec.name] ?? notImplemented,
}));

/** cmdtable_lookup: an exact name, else a prefix matching exactly one entry. */
export function lookupCommand(name: string): XlCommand | undefined {
  const exact = commandTable.find(c => c.name === name);
  if (exact) return exact;
  const matches = commandTable.filter(c => c.name.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}

/** The full `xl help` text (its layout is what the bash completion parses). */
export function formatFullHelp(): string {
  let t = 'Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n';
  for (const c of commandTable) {
    t += ` ${c.name.padEnd(19)} `;
    if (c.name.length > 19) t += `\n ${''.padEnd(19)} `;
    t += `${c.description}\n`;
  }
  return t;
}
