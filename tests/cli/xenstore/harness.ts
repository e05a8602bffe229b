// Test harness for the xenstore tools: a bare xenstored on a temp socket, our tools built
// from the current sources (named like the real ones, so they switch on their name), and
// the real Debian tools when installed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

export const TOOL_NAMES = ['xenstore', 'xenstore-ls', 'xenstore-read', 'xenstore-write', 'xenstore-rm',
  'xenstore-list', 'xenstore-exists', 'xenstore-chmod', 'xenstore-watch'];
export const REAL_BIN = '/usr/bin';
export const TEST_XENSTORE = '/usr/lib/xen-4.17/bin/test-xenstore';

export function realToolsPresent(): boolean {
  return TOOL_NAMES.every(n => existsSync(join(REAL_BIN, n)));
}

/** Builds src/cli/xenstore/main.ts and returns a directory of launchers named like the real tools. */
export async function buildOurTools(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'xs-tools-'));
  await build({
    entryPoints: { xenstore: 'src/cli/xenstore/main.ts' }, outdir: dir, bundle: true, format: 'esm',
    platform: 'node', target: 'node20', logLevel: 'warning',
  });
  for (const n of TOOL_NAMES) {
    const f = join(dir, n);
    writeFileSync(f, '#!/usr/bin/env node\nimport "./xenstore.js";\n');
    chmodSync(f, 0o755);
  }
  return dir;
}

export interface Daemon { socket: string; proc: ChildProcess; stop(): Promise<void> }

/** Starts src/dom0/xenstored/standalone.ts on a fresh socket; resolves when it says "ready". */
export async function startXenstored(): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'xsd-'));
  const socket = join(dir, 'socket');
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/dom0/xenstored/standalone.ts', socket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', l => (l === 'ready' ? resolve() : reject(new Error(`xenstored said ${l}`))));
    proc.once('exit', code => reject(new Error(`xenstored exited ${code}`)));
  });
  return {
    socket, proc,
    stop: () => new Promise<void>(resolve => {
      if (proc.exitCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

export interface Run { status: number | null; stdout: string; stderr: string }

/**
 * The environment of a tool typed by its bare name with `binDir` first on PATH: the PATH search
 * (and so argv[0] = the bare name) is the same for a C binary and for our node launchers.
 */
const typedFrom = (binDir: string, socket: string): NodeJS.ProcessEnv =>
  ({ ...process.env, XENSTORED_PATH: socket, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` });

/** Runs a tool by its bare name from `binDir` with XENSTORED_PATH set. */
export function runTool(binDir: string, name: string, args: string[], socket: string, timeoutMs = 20000): Run {
  const r = spawnSync(name, args, { env: typedFrom(binDir, socket), encoding: 'latin1', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs async (for watchers that must be running while something else happens). */
export function spawnTool(binDir: string, name: string, args: string[], socket: string): ChildProcess {
  return spawn(name, args, { env: typedFrom(binDir, socket) });
}
