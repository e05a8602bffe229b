// The guest shell's free, uptime and uname against Debian's own procps-ng 4.0.2 and coreutils on
// this machine, for the same numbers: the real tools read a /proc/meminfo, /proc/uptime and
// /proc/loadavg of ours, bind-mounted in a private mount namespace (needs root and unshare).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { free } from '../../src/guest/free.ts';
import { guestMeminfo, type Meminfo } from '../../src/guest/meminfo.ts';
import { kernelLoad, loadavg, uptime } from '../../src/guest/uptime.ts';
import { uname } from '../../src/guest/uname.ts';
import type { CommandResult } from '../../src/guest/command.ts';

const dir = mkdtempSync(join(tmpdir(), 'procps-'));
const canFake = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
const MARK = '@@@';

/** Each command line run by the real tool over our /proc files: its output (both streams) and status. */
function real(files: Record<string, string>, lines: string[]): CommandResult[] {
  const mounts = Object.entries(files).map(([proc, text], i) => {
    const f = join(dir, `f${i}`);
    writeFileSync(f, text);
    return `mount --bind ${f} ${proc} && `;
  }).join('');
  const script = mounts + lines.map(l => `echo ${MARK}; ${l} 2>&1; echo "${MARK}$?"`).join('; ');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split(`${MARK}\n`).slice(1).map(chunk => {
    const m = /([^]*)@@@(\d+)\n$/.exec(chunk)!;
    return { stdout: m[1]!, stderr: '', status: Number(m[2]) };
  });
}
const merged = (r: CommandResult): CommandResult => ({ stdout: r.stdout + r.stderr, stderr: '', status: r.status });

function meminfoFile(m: Meminfo): string {
  return Object.entries(m).map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB\n`).join('');
}

const FREE_ARGS = [
  '', '-k', '-m', '-g', '-b', '-h', '-h --si', '--si', '--kilo', '--mega', '--giga', '--tebi', '--pebi', '--tera',
  '-w', '-m -w', '-l', '-t', '-v', '-ltv', '-h -l -t -v -w', '--hum', '--human --total', '--wide --mebi',
  '-x', '--bogus', '--h', '-m -g', '--kilo -k', 'extra', '-m extra', '--help', '-V', '--si=1',
  // Repeat arguments that free refuses before printing anything.
  '-s 0', '-s abc', '-s -1', '-s 1x', '-s 0.0000001', '-c 0', '-c x', '-c 2x', '-c -3', '--count', '-s',
];

test('free prints what procps-ng 4.0.2 prints for the same meminfo, for every unit and option', { skip: !canFake && 'needs root and unshare' }, () => {
  const sizes = [128 * 1024, 262144, 1048576, 1572864, 4194304, 33554432, 1_073_741_824];
  const cases: Meminfo[] = sizes.map(guestMeminfo);
  // Odd numbers too: exact binary ties for %.1f (1.25Mi), a byte count past 32 bits, zeros.
  cases.push({ MemTotal: 1280, MemFree: 1024, MemAvailable: 1152, Buffers: 0, Cached: 2560, Shmem: 1, SReclaimable: 0, SwapTotal: 5120, SwapFree: 1280, CommitLimit: 640, Committed_AS: 0 });
  cases.push({ MemTotal: 999_999_999, MemFree: 10, MemAvailable: 1023, Buffers: 1023, Cached: 1024, Shmem: 1023 * 1024, SReclaimable: 10_239, SwapTotal: 0, SwapFree: 0, CommitLimit: 1, Committed_AS: 0 });
  // Every option for two of them; the scaling ones for the rest (each real run costs a process).
  for (const [k, m] of cases.entries()) {
    const args = k === 1 || k === 7 ? FREE_ARGS : ['', '-m', '-g', '-b -w', '-h', '-h --si', '--mega'];
    const want = real({ '/proc/meminfo': meminfoFile(m) }, args.map(a => `free ${a}`));
    args.forEach((a, i) => assert.deepEqual(merged(free(a ? a.split(' ') : [], m)), want[i], `free ${a} with MemTotal ${m.MemTotal}`));
  }
});

test('free -m of a 256 MiB guest: mebibytes and all six columns', () => {
  const m = guestMeminfo(262144);
  const out = free(['-m'], m).stdout;
  assert.match(out, /^ {15}total {8}used {8}free {6}shared  buff\/cache   available\nMem: +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)\nSwap: +0 +0 +0\n$/);
  const [total, used, freeMb, , cache, avail] = /^Mem:(.*)$/m.exec(out)![1]!.trim().split(/ +/).map(Number);
  assert.equal(total, Math.floor(m.MemTotal / 1024));
  assert.ok(total! < 256 && total! > 200, 'the kernel keeps some of the 256 MiB');
  // procps 4 counts as used what is not available.
  assert.ok(Math.abs(total! - avail! - used!) <= 1 && avail! > freeMb! && freeMb! + cache! < total!);
});

const UPTIMES = [0, 5.2, 59.9, 60.5, 3599, 3600, 3661, 86399, 86400, 86401, 90061, 172800, 200000, 1_000_000, 40_000_000, 400_000_000];
const UPTIME_ARGS = ['', '-p', '--pretty', '-s', '--since', '-x', 'foo', '--help', '-V', '--pr'];

test('uptime prints what procps-ng 4.0.2 prints for the same /proc/uptime and /proc/loadavg', { skip: !canFake && 'needs root and unshare' }, () => {
  for (const [i, up] of UPTIMES.entries()) {
    const avg = loadavg(i % 4, up);
    const files = { '/proc/uptime': `${up.toFixed(2)} 0.00\n`, '/proc/loadavg': `${avg.map(kernelLoad).join(' ')} 1/97 412\n` };
    const before = Date.now();
    const args = i === 3 ? UPTIME_ARGS : ['', '-p'];
    const want = real(files, args.map(a => `uptime ${a}`));
    // The time of day is the machine's: ours is given each second the real ones may have run in
    // (a loaded machine may take seconds over them).
    const moments: number[] = [];
    for (let ms = before, after = Date.now(); ms < after + 1000; ms += 1000) moments.push(ms);
    args.forEach((a, j) => {
      const got = moments.map(ms => merged(uptime(a ? [a] : [], { uptimeSec: Number(up.toFixed(2)), wallMs: ms, users: 0, loadavg: avg })));
      assert.ok(got.some(g => JSON.stringify(g) === JSON.stringify(want[j])), `uptime ${a} at ${up} s:\n${JSON.stringify(got[0])}\n${JSON.stringify(want[j])}`);
    });
  }
});

test('load averages are printed as Linux prints its fixed-point ones and rise towards the demand', () => {
  // FIXED_1 is 2048; the kernel adds FIXED_1/200 and truncates to hundredths.
  assert.deepEqual([0, 1, 0.5, 10.125, 2047 / 2048, 0.99].map(kernelLoad), ['0.00', '1.00', '0.50', '10.12', '1.00', '0.99']);
  const [l1, l5, l15] = loadavg(2, 600);
  assert.ok(l1 > 1.99 && l5 > l15 && l15 > 0.9 && l15 < 1.1, `${l1} ${l5} ${l15}`);
  assert.deepEqual(loadavg(1, 4.9), [0, 0, 0]);
});

test('uname: the fields in coreutils order, -a without the unknown ones, coreutils\' errors and help', () => {
  const out = (args: string[]) => uname(args, 'web').stdout;
  assert.equal(out([]), 'Linux\n');
  assert.equal(out(['-a']), 'Linux web 6.1.0-41-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09) x86_64 GNU/Linux\n');
  assert.equal(out(['-omn']), 'web x86_64 GNU/Linux\n');
  assert.equal(out(['-p', '-i', '-r']), '6.1.0-41-amd64 unknown unknown\n');
  assert.equal(out(['-a', '-p']), out(['-a']));
  assert.equal(out(['--kernel-r', '--sys']), 'Linux 6.1.0-41-amd64\n');
  // Error texts and help, byte for byte those of this machine's coreutils uname.
  for (const args of [['-x'], ['foo'], ['--kernel'], ['--help'], ['--bogus'], ['-s', 'a', 'b'], ['--all=1']]) {
    const r = spawnSync('uname', args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    assert.deepEqual(uname(args, 'web'), { stdout: r.stdout, stderr: r.stderr, status: r.status }, args.join(' '));
  }
});
