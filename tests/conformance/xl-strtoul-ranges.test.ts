// Numbers in cpus= and vnuma= are read by strtoul as C reads them (issue 12): leading blanks and
// a sign pass, a minus sign wraps ("-5" is ULONG_MAX - 4), ULONG_MAX is refused where xl checks
// for it, unsigned arithmetic wraps. Each config goes through `xl -N create` here and through the
// real xl 4.17 (realxl); stdout (uuid aside), stderr and the exit status must be identical.
// (Ranges up to ULONG_MAX, such as cpus="0-18446744073709551614", make the real xl loop for
// ever; they are left out.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/host.ts';

const REALXL = join(ROOT, '../shared/tools/realxl/realxl');
const execFileP = promisify(execFile);

const vnuma = (o: { pnode?: string; size?: string; vcpus?: string; vdistances?: string }) =>
  `vnuma=[[${Object.entries({ pnode: '0', size: '128', vcpus: '0', vdistances: '10', ...o }).map(([k, v]) => `"${k}=${v}"`).join(',')}]]`;

const CASES = [
  'cpus="18446744073709551614"', 'cpus="-1"', 'cpus="1-+3"', 'cpus="2- 3"', 'cpus="99999999999999999999"', 'cpus="3,^-2"',
  vnuma({ vcpus: '-5' }), vnuma({ vcpus: '2-1' }), vnuma({ vdistances: '4294967306' }), vnuma({ pnode: '-1' }),
  vnuma({ size: '0' }), vnuma({ size: '18014398509481984' }),
];

test('strtoul-read numbers in cpus= and vnuma=: xl -N create as the real xl', { skip: !existsSync(REALXL) && `${REALXL} not available` }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xl-strtoul-'));
  try {
    const env = { ...process.env, XENLAB_HOME: join(dir, 'home'), XENLAB_NO_AUTOSTART: '1' };
    const run = async (cmd: string, args: string[], cwd: string) => {
      const r = await execFileP(cmd, args, { cwd, env, encoding: 'utf8', timeout: 20_000 }).catch((e: any) => e);
      return { stdout: String(r.stdout ?? '').replace(/"uuid": "[^"]*"/, '"uuid": ""'), stderr: String(r.stderr ?? ''), status: r.killed ? null : (r.code ?? 0) };
    };
    // Both xls over every case at once: each case in a directory of its own.
    await Promise.all(CASES.map(async (line, i) => {
      const cwd = join(dir, String(i));
      mkdirSync(cwd);
      writeFileSync(join(cwd, 'c.cfg'), `name = "t"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n${line}\n`);
      const [real, ours] = await Promise.all([run(REALXL, ['-N', 'create', 'c.cfg'], cwd), run(process.execPath, [join(BIN, 'xl'), '-N', 'create', 'c.cfg'], cwd)]);
      assert.equal(typeof real.status, 'number', `the real xl finished: ${line}`);
      assert.deepEqual(ours, real, line);
    }));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
