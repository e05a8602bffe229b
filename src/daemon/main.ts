// xenlabd: the daemon of one emulated Xen host, and the commands that manage it (their command
// line is cli.ts).
import { closeSync, constants, existsSync, mkdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostPaths, type HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';
import { connectDaemon, EXIT_LOCKED } from '../client/autostart.ts';
import { openControl, EXIT_UNAVAILABLE } from '../client/control.ts';
import type { Connection } from '../client/connection.ts';
import { claimStateFile, openStateFile, privateDir } from '../dom0/state-files.ts';
import { DEFAULT_MACHINE } from '../machine/host.ts';
import { parseDuration, type ClockMode } from '../machine/clock.ts';
import type { MachineArgs } from './cli.ts';
import { LVM_COMMANDS, lvmCommand } from './lvm-command.ts';
import { faultAdd, faultClear, faultList } from './fault-command.ts';

function fail(msg: string, code = 1): never { process.stderr.write(`${msg.startsWith('xenlabd: ') ? '' : 'xenlabd: '}${msg}\n`); process.exit(code); }

async function tryConnect(): Promise<Connection | undefined> {
  try { return await openControl(hostPaths()); } catch (e) { if (e instanceof ToolError) throw e; return undefined; }
}

/**
 * The home first, then the lock, before anything else is touched: a second daemon for this
 * home leaves with EXIT_LOCKED. Then the other directories and the files opened by name.
 */
async function claimHome(paths: HostPaths) {
  mkdirSync(dirname(paths.home), { recursive: true, mode: 0o700 });
  privateDir(paths.home);
  const { lockHost } = await import('./host-lock.ts');
  const lock = lockHost(paths.lock);
  if (!lock) fail(`already running for ${paths.home} (another xenlabd holds ${paths.lock})`, EXIT_LOCKED);
  if (paths.sockets !== paths.home) privateDir(paths.sockets);
  privateDir(paths.logs);
  claimStateFile(join(paths.logs, 'xenlabd.log'), true);
  claimStateFile(paths.pidfile, false);
  return lock;
}

async function run(m: MachineArgs): Promise<void> {
  const paths = hostPaths();
  const lock = await claimHome(paths);
  const { Store } = await import('./store.ts');
  const { Host } = await import('./host.ts');
  const { ControlServer } = await import('./server.ts');
  const store = new Store(paths.db);
  let spec = store.machine();
  if (!spec) {
    spec = { ...DEFAULT_MACHINE, ...m.spec };
    spec.dom0Vcpus = m.spec.dom0Vcpus ?? Math.min(4, spec.nrCpus);
    store.setHost('machine', JSON.stringify(spec));
  }
  const clockMode = (store.getHost('clock_mode') as ClockMode | undefined) ?? m.clock ?? 'real';
  store.setHost('clock_mode', clockMode);
  const host = new Host(paths, store, { spec, clockMode });
  await host.boot();
  const server = new ControlServer(host);
  let ticker: NodeJS.Timeout | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (ticker) clearInterval(ticker);
    server.close();
    await host.shutdown();
    store.close();
    rmSync(paths.control, { force: true });
    // Everything else is closed: the next daemon may start. The pid file goes last, as
    // `xenlabd stop` waits for it (a new daemon writes its own only once it is up).
    lock.close();
    rmSync(paths.pidfile, { force: true });
    process.exit(0);
  };
  server.onStop = () => void stop();
  await server.listen(paths.control);
  const pidfd = openStateFile(paths.pidfile, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC);
  writeSync(pidfd, String(process.pid));
  closeSync(pidfd);
  host.log(`xenlabd ${process.pid} up: ${spec.nrCpus} pCPUs, ${spec.memoryMiB} MiB, clock ${clockMode}`);
  if (clockMode === 'real') {
    // Simulated time follows wall time from where it stood.
    const baseWall = process.hrtime.bigint();
    const baseSim = host.clock.now();
    let busy = false;
    ticker = setInterval(() => {
      if (busy) return;
      busy = true;
      void host.advance(baseSim + (process.hrtime.bigint() - baseWall)).finally(() => { busy = false; });
    }, 20);
  }
  const checkpoint = setInterval(() => host.checkpoint(), 2000);
  checkpoint.unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void stop());
}

async function start(m: MachineArgs): Promise<void> {
  const paths = hostPaths();
  const existing = await tryConnect();
  if (existing) {
    // A daemon killed an instant ago may still accept a connection it never answers: only one
    // that answers is running.
    const answers = await existing.request('clock.get', {}).then(() => true, () => false);
    existing.close();
    if (answers) { process.stdout.write(`xenlabd: already running for ${paths.home}\n`); return; }
  }
  const conn = await connectDaemon({ autostart: true, startArgs: m.argv });
  const st = await conn.request('clock.get', {});
  conn.close();
  process.stdout.write(`xenlabd: started for ${paths.home} (clock ${st.mode})\n`);
}

/** start --restore-guests DIR (an extension): start, then restore every guest saved in DIR. */
async function startRestoring(m: MachineArgs, dir?: string): Promise<void> {
  await start(m);
  if (dir === undefined) return;
  const { restoreGuests } = await import('./guest-images.ts');
  if (!restoreGuests(dir)) fail(`some guests in ${dir} could not be restored (their files are kept)`);
}

async function stopCmd(saveGuestsTo?: string): Promise<void> {
  const paths = hostPaths();
  const conn = await tryConnect();
  if (!conn) { process.stdout.write(`xenlabd: not running for ${paths.home}\n`); return; }
  if (saveGuestsTo !== undefined) {
    const { saveGuests } = await import('./guest-images.ts');
    if (!(await saveGuests(conn, saveGuestsTo))) { conn.close(); fail('not stopped: some guests could not be saved (they still run)'); }
  }
  await conn.request('daemon.stop', {}).catch(() => {});
  conn.close();
  // The daemon removes its pid file last, once the lock is released; a loaded machine may take seconds.
  const deadline = Date.now() + 60_000;
  while (existsSync(paths.pidfile) && Date.now() < deadline) await new Promise(r => setTimeout(r, 10));
  if (existsSync(paths.pidfile)) fail(`still stopping after 60 s: see ${join(paths.logs, 'xenlabd.log')}`);
  process.stdout.write(`xenlabd: stopped\n`);
}

async function status(): Promise<void> {
  const paths = hostPaths();
  const conn = await tryConnect();
  if (!conn) { process.stdout.write(`xenlabd: not running for ${paths.home}\n`); process.exit(3); }
  const info = await conn.request('host.info', {});
  const doms = await conn.request('domain.list', {});
  conn.close();
  process.stdout.write(`xenlabd: running for ${paths.home}\n` +
    `host ${info.host}: ${info.nrCpus} pCPUs, ${info.totalPages / 256} MiB (${Math.floor(info.freePages / 256)} MiB free), ${doms.length} domains\n` +
    `clock ${info.clockMode}, simulated uptime ${(Number(info.nowNs) / 1e9).toFixed(3)}s\n` +
    `control ${paths.control}\nxenstored ${paths.xenstored}\n`);
}

async function clock(): Promise<void> {
  const conn = await connectDaemon();
  const c = await conn.request('clock.get', {});
  process.stdout.write(`${c.mode} ${(Number(c.nowNs) / 1e9).toFixed(9)}\n`);
  conn.close();
}

async function clockAdvance(ns: bigint): Promise<void> {
  const conn = await connectDaemon();
  const r = await conn.request('clock.advance', { ns: ns.toString() });
  process.stdout.write(`${(Number(r.nowNs) / 1e9).toFixed(9)}\n`);
  conn.close();
}

async function lspci(o: { numeric: 0 | 1 | 2; verbose: boolean }): Promise<void> {
  const conn = await connectDaemon();
  process.stdout.write((await conn.request('host.lspci', o)).text);
  conn.close();
}

/** xenlabd dom0 restart: waits for Dom0 to be back (under a virtual clock, for the clock to pass its boot). */
async function dom0Restart(): Promise<void> {
  const conn = await connectDaemon();
  const r = await conn.request('dom0.restart', {});
  conn.close();
  process.stdout.write(`Dom0 restarted in ${(Number(r.downNs) / 1e9).toFixed(3)} s: ${r.connected} of ${r.devices} devices connected again\n`);
}

async function interrupts(): Promise<void> {
  const conn = await connectDaemon();
  process.stdout.write((await conn.request('host.interrupts', {})).text);
  conn.close();
}

async function lsusb(): Promise<void> {
  const conn = await connectDaemon();
  process.stdout.write((await conn.request('host.lsusb', {})).text);
  conn.close();
}

async function sriov(pf: string, numVfs: number): Promise<void> {
  const conn = await connectDaemon();
  await conn.request('pci.sriov', { pf, numVfs });
  conn.close();
}

function env(): void {
  const p = hostPaths();
  process.stdout.write(`export XENLAB_HOME=${p.home}\nexport XENSTORED_PATH=${p.xenstored}\n`);
}

/**
 * The commands scripts and tests call in loops, in their one plain form, run without loading
 * yargs (its start-up costs more than the command); every other form, help and bad usage go
 * through cli.ts.
 */
function plainCommand(args: string[]): (() => Promise<void> | void) | undefined {
  const [cmd, sub, arg] = args;
  if (args.length === 1 && cmd === 'stop') return stopCmd;
  if (args.length === 1 && cmd === 'status') return status;
  if (args.length === 1 && cmd === 'env') return env;
  if (args.length === 1 && cmd === 'clock') return clock;
  const ns = args.length === 3 && cmd === 'clock' && sub === 'advance' ? parseDuration(arg!) : undefined;
  return ns === undefined ? undefined : () => clockAdvance(ns);
}

const args = process.argv.slice(2);
const plain = plainCommand(args);
// The LVM commands (extensions) take LVM's own options: they bypass yargs.
(plain ? Promise.resolve().then(plain) : LVM_COMMANDS.includes(args[0]!) ? lvmCommand(args[0]!, args.slice(1)) : import('./cli.ts').then(c => c.xenlabdCli(args, { run, start: startRestoring, stop: stopCmd, status, env, clock, clockAdvance, lspci, lsusb, interrupts, sriov, faultAdd, faultList, faultClear, dom0Restart }))).catch(e => {
  if (e instanceof ToolError) fail(e.message, e.exitCode === 1 && e.code.startsWith('ED') ? EXIT_UNAVAILABLE : e.exitCode);
  fail(e?.message ?? String(e));
});
