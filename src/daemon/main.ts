// xenlabd: the daemon of one emulated Xen host, and the commands that manage it.
//   xenlabd start|run [--host NAME] [--cpus N] [--memory SIZE] [--dom0-mem SIZE] [--dom0-vcpus N] [--disk nvme|sata] [--clock real|virtual] [--seed N]
//   xenlabd stop | status | env | clock [advance DURATION]
import { parseArgs } from 'node:util';
import { closeSync, constants, existsSync, mkdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostPaths, type HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';
import { connectDaemon, EXIT_LOCKED } from '../client/autostart.ts';
import { openControl, EXIT_UNAVAILABLE } from '../client/control.ts';
import type { Connection } from '../client/connection.ts';
import { claimStateFile, openStateFile, privateDir } from '../dom0/state-files.ts';
import { DEFAULT_MACHINE, parseSizeMiB, type MachineSpec } from '../machine/host.ts';
import { parseDuration, type ClockMode } from '../machine/clock.ts';
import { DISK_KINDS, type DiskKind } from '../machine/devices.ts';

const USAGE = `Usage: xenlabd <command> [options]

Commands:
  start            start the host's daemon in the background (if not running)
  run              run the daemon in the foreground
  stop             stop the daemon (domains are kept and come back on the next start)
  status           say whether the daemon runs, and its host
  env              print the environment for real Xen clients (XENSTORED_PATH)
  clock            print the simulated clock
  clock advance D  advance a virtual clock by D (e.g. 10s, 250ms, 2m)

Machine options (start, run; used when the host is first created):
  --host NAME      host name (default xenlab)
  --cpus N         physical CPUs (default 8)
  --memory SIZE    RAM, e.g. 16G (default 16G)
  --dom0-mem SIZE  Domain-0 memory (default 2G)
  --dom0-vcpus N   Domain-0 vCPUs, as Xen's dom0_max_vcpus (default 4, at most --cpus)
  --disk KIND      the disk holding the images: nvme or sata (default nvme)
  --clock MODE     real or virtual (default real)
  --seed N         seed of the deterministic simulation (default 1)

State lives in $XENLAB_HOME (default \${XDG_STATE_HOME:-~/.local/state}/xenlab).
`;

const OPTIONS = {
  host: { type: 'string' }, cpus: { type: 'string' }, memory: { type: 'string' }, 'dom0-mem': { type: 'string' },
  'dom0-vcpus': { type: 'string' }, disk: { type: 'string' },
  clock: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

function fail(msg: string, code = 1): never { process.stderr.write(`${msg.startsWith('xenlabd: ') ? '' : 'xenlabd: '}${msg}\n`); process.exit(code); }

function machineArgs(v: Record<string, string | boolean | undefined>): { spec: Partial<MachineSpec>; clock?: ClockMode } {
  const spec: Partial<MachineSpec> = {};
  if (typeof v.host === 'string') spec.hostname = v.host;
  if (typeof v.cpus === 'string') { const n = Number(v.cpus); if (!Number.isInteger(n) || n < 1 || n > 512) fail(`invalid --cpus ${v.cpus}`, 2); spec.nrCpus = n; }
  if (typeof v.memory === 'string') { const m = parseSizeMiB(v.memory); if (!m || m < 256) fail(`invalid --memory ${v.memory}`, 2); spec.memoryMiB = m; }
  if (typeof v['dom0-mem'] === 'string') { const m = parseSizeMiB(v['dom0-mem']); if (!m || m < 128) fail(`invalid --dom0-mem ${v['dom0-mem']}`, 2); spec.dom0MemMiB = m; }
  if (typeof v['dom0-vcpus'] === 'string') { const n = Number(v['dom0-vcpus']); if (!Number.isInteger(n) || n < 1 || n > (spec.nrCpus ?? DEFAULT_MACHINE.nrCpus)) fail(`invalid --dom0-vcpus ${v['dom0-vcpus']}`, 2); spec.dom0Vcpus = n; }
  if (typeof v.disk === 'string') { if (!(DISK_KINDS as string[]).includes(v.disk)) fail(`invalid --disk ${v.disk} (nvme or sata)`, 2); spec.disk = v.disk as DiskKind; }
  if (typeof v.seed === 'string') { const n = Number(v.seed); if (!Number.isInteger(n)) fail(`invalid --seed ${v.seed}`, 2); spec.seed = n; }
  let clock: ClockMode | undefined;
  if (typeof v.clock === 'string') { if (v.clock !== 'real' && v.clock !== 'virtual') fail(`invalid --clock ${v.clock} (real or virtual)`, 2); clock = v.clock; }
  return { spec, clock };
}

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

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false });
  const paths = hostPaths();
  const lock = await claimHome(paths);
  const { Store } = await import('./store.ts');
  const { Host } = await import('./host.ts');
  const { ControlServer } = await import('./server.ts');
  const store = new Store(paths.db);
  const m = machineArgs(values);
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

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false });
  machineArgs(values); // validate before spawning
  const paths = hostPaths();
  const existing = await tryConnect();
  if (existing) { existing.close(); process.stdout.write(`xenlabd: already running for ${paths.home}\n`); return; }
  const conn = await connectDaemon({ autostart: true, startArgs: argv });
  const st = await conn.request('clock.get', {});
  conn.close();
  process.stdout.write(`xenlabd: started for ${paths.home} (clock ${st.mode})\n`);
}

async function stopCmd(): Promise<void> {
  const paths = hostPaths();
  const conn = await tryConnect();
  if (!conn) { process.stdout.write(`xenlabd: not running for ${paths.home}\n`); return; }
  await conn.request('daemon.stop', {}).catch(() => {});
  conn.close();
  for (let i = 0; i < 500 && existsSync(paths.pidfile); i++) await new Promise(r => setTimeout(r, 10));
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

async function clock(args: string[]): Promise<void> {
  const conn = await connectDaemon();
  if (args[0] === 'advance') {
    const ns = args[1] ? parseDuration(args[1]) : undefined;
    if (ns === undefined) fail(`usage: xenlabd clock advance DURATION (e.g. 10s, 250ms)`, 2);
    const r = await conn.request('clock.advance', { ns: ns.toString() });
    process.stdout.write(`${(Number(r.nowNs) / 1e9).toFixed(9)}\n`);
  } else if (args.length) fail(`unknown clock command ${args[0]}`, 2);
  else {
    const c = await conn.request('clock.get', {});
    process.stdout.write(`${c.mode} ${(Number(c.nowNs) / 1e9).toFixed(9)}\n`);
  }
  conn.close();
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'run': return run(rest);
    case 'start': return start(rest);
    case 'stop': return stopCmd();
    case 'status': return status();
    case 'env': {
      const p = hostPaths();
      process.stdout.write(`export XENLAB_HOME=${p.home}\nexport XENSTORED_PATH=${p.xenstored}\n`);
      return;
    }
    case 'clock': return clock(rest);
    case 'help': case '-h': case '--help': process.stdout.write(USAGE); return;
    default: process.stderr.write(USAGE); process.exit(2);
  }
}

main().catch(e => {
  if (e instanceof ToolError) fail(e.message, e.exitCode === 1 && e.code.startsWith('ED') ? EXIT_UNAVAILABLE : e.exitCode);
  fail(e?.message ?? String(e));
});
