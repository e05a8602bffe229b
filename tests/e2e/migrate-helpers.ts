// Shared by the save/restore and migration end-to-end tests: guest configs, page digests from
// xl dump-core, background xl runs whose stderr can be awaited, the real stream verifier.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, type TestHost } from '../helpers/host.ts';
import { until } from '../helpers/wait.ts';
import { readCore } from '../../src/formats/elf-core.ts';

export const VERIFY = '/usr/lib/xen-4.17/bin/verify-stream-v2';
export const haveVerifier = existsSync(VERIFY);

/** The environment for transport commands: our xl first on PATH, as on a real Dom0. */
export const PATH_WITH_XL = `${BIN}:${process.env.PATH}`;

export function guestCfg(h: TestHost, name: string, o: { type?: string; memory?: number; workload?: string; extra?: string } = {}): string {
  const p = join(h.home, `${name}.cfg`);
  writeFileSync(p, `name = "${name}"\ntype = "${o.type ?? 'pv'}"\nkernel = "/boot/vmlinuz"\nmemory = ${o.memory ?? 64}\n` +
    `vcpus = 1\nworkload = "${o.workload ?? 'cpu=30'}"\n${o.extra ?? ''}\n`);
  return p;
}

/**
 * The guest's RAM as xl dump-core writes it: its pfn list and a digest of .xen_pages. The
 * special pages after RAM (0xfeff0 up: the xenstore and console pages) carry live traffic and
 * are left out.
 */
export function xenPages(h: TestHost, dom: string): { pfns: number; digest: string } {
  const file = join(h.home, `core-${dom}-${Date.now()}`);
  h.xlOk('dump-core', dom, file);
  const core = readCore(readFileSync(file));
  rmSync(file);
  const pfns = core.pfns.filter(p => p < 0xfeff0);
  return { pfns: pfns.length, digest: createHash('sha256').update(Buffer.from(new Uint32Array(pfns).buffer)).update(core.pages.subarray(0, pfns.length * 4096)).digest('hex') };
}

/** An xl run in the background: await lines on its stderr, then its exit. */
export class Background {
  stderr = '';
  readonly exit: Promise<number>;
  private waiters: { re: RegExp; resolve: () => void }[] = [];

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', d => {
      this.stderr += d;
      this.waiters = this.waiters.filter(w => { if (w.re.test(this.stderr)) { w.resolve(); return false; } return true; });
    });
    child.stdout?.resume();
    this.exit = new Promise(r => child.on('close', c => r(c ?? -1)));
  }

  /** Resolves once stderr matches (or rejects if the process ends first). */
  waitFor(re: RegExp): Promise<void> {
    if (re.test(this.stderr)) return Promise.resolve();
    return Promise.race([
      new Promise<void>(resolve => this.waiters.push({ re, resolve })),
      this.exit.then(c => { if (!re.test(this.stderr)) throw new Error(`exited ${c} before ${re}:\n${this.stderr}`); }),
    ]);
  }
}

export function xlBackground(h: TestHost, args: string[], env: NodeJS.ProcessEnv = {}): Background {
  return new Background(h.spawn('xl', args, { PATH: PATH_WITH_XL, ...env }));
}

export function verifyStream(file: string, verbose = false): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(VERIFY, ['-f', 'xl', ...(verbose ? ['-v'] : []), '-i', file], {
    env: { ...process.env, PYTHONPATH: '/usr/lib/xen-4.17/lib/python' }, encoding: 'utf8', timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The summary xl migrate prints (a xenlab extension) as numbers. */
export function parseSummary(stderr: string): { rounds: number[]; final: number; pages: number; bytes: number; memory: number; amplification: number; downtimeMs: number } {
  const m1 = /migration summary: (\d+) live rounds, pages per round ([\d ]+), final (\d+)/.exec(stderr);
  const m2 = /sent (\d+) pages, (\d+) bytes for (\d+) bytes of guest memory, amplification ([\d.]+)/.exec(stderr);
  const m3 = /downtime ([\d.]+) ms/.exec(stderr);
  if (!m1 || !m2 || !m3) throw new Error(`no migration summary in:\n${stderr}`);
  return {
    rounds: m1[2]!.trim().split(' ').map(Number), final: Number(m1[3]), pages: Number(m2[1]), bytes: Number(m2[2]),
    memory: Number(m2[3]), amplification: Number(m2[4]), downtimeMs: Number(m3[1]),
  };
}

/** Wait (real time, another process acts) until a xenstore key of `h` reads `value`. */
export const xenstoreBecomes = (h: TestHost, path: string, value: string): Promise<void> =>
  until(() => h.sys('xenstore-read', [path]).stdout.trim() === value, `${path} never became ${value}`);
