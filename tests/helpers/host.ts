// A real xenlabd for tests: its own XENLAB_HOME in a temp dir, a virtual clock, and helpers to
// run the real binaries (bin/*) against it. Build first (npm test does).
import { spawnSync, spawn, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin');

export interface RunResult { stdout: string; stderr: string; status: number }

export class TestHost {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly name = 'xenlab-test') {
    if (!existsSync(join(ROOT, 'dist/xenlabd.js'))) throw new Error('dist/ is missing: run npm run build first');
    // Short paths keep the sockets under the 108-byte limit.
    this.home = mkdtempSync(join(tmpdir(), 'xlt-'));
    this.env = { ...process.env, XENLAB_HOME: this.home, XENSTORED_PATH: join(this.home, 'run/xenstored/socket'), XENLAB_NO_AUTOSTART: '1' };
    delete this.env.NO_COLOR;
  }

  /** Start the daemon (virtual clock unless told otherwise). */
  start(args: string[] = ['--clock', 'virtual']): this {
    const r = this.run('xenlabd', ['start', ...args]);
    if (r.status !== 0) throw new Error(`xenlabd start failed: ${r.stderr}${r.stdout}`);
    return this;
  }

  /** Run one of our binaries (bin/<tool>). */
  run(tool: string, args: string[] = [], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunResult {
    const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [join(BIN, tool), ...args], {
      env: { ...this.env, ...opts.env }, input: opts.input, encoding: 'utf8', cwd: opts.cwd ?? ROOT, timeout: 60_000,
    });
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
  }

  xl(...args: string[]): RunResult { return this.run('xl', args); }

  /** Like xl() but throws unless it exits 0; returns stdout. */
  xlOk(...args: string[]): string {
    const r = this.xl(...args);
    if (r.status !== 0) throw new Error(`xl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  /** Run a real (system) binary with this host's environment. */
  sys(cmd: string, args: string[] = [], input?: string): RunResult {
    const r = spawnSync(cmd, args, { env: this.env, encoding: 'utf8', input, timeout: 60_000 });
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
  }

  /** A PV guest's config file in this host's home: name, type, kernel, 256 MiB unless `body` sets memory, then `body`. */
  guestConfig(name: string, body = ''): string {
    const p = join(this.home, `${name}.cfg`);
    const memory = /^memory\s*=/m.test(body) ? '' : 'memory = 256\n';
    writeFileSync(p, `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\n${memory}${body}\n`);
    return p;
  }

  /** Create PV guests (name → the body of its config, as guestConfig takes it), then let `settle` of simulated time pass. */
  createGuests(guests: Record<string, string>, settle?: string): this {
    for (const [name, body] of Object.entries(guests)) this.xlOk('create', this.guestConfig(name, body));
    if (settle) this.advance(settle);
    return this;
  }

  advance(duration: string): void {
    const r = this.run('xenlabd', ['clock', 'advance', duration]);
    if (r.status !== 0) throw new Error(`clock advance failed: ${r.stderr}`);
  }

  /** Start a long-running tool in the background (xl shutdown -w, xentop, ...). */
  spawn(tool: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawn(process.execPath, [join(BIN, tool), ...args], { env: { ...this.env, ...env }, cwd: ROOT });
  }

  stop(): void {
    this.run('xenlabd', ['stop']);
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Does a system binary exist? Conformance tests skip (loudly) without the Debian tools. */
export function haveBinary(path: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${path}`]).status === 0;
}
