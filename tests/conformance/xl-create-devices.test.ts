// Issue 16 acceptance 2: the device keys of xl.cfg (pci, usbctrl/usbdev, vtpm, vkb, vdispl, vsnd,
// channel, gfx_passthru, cpuid, vpmu) and the device attach commands under -N, against the real
// xl 4.17. fixtures/xl-devices/cases.json holds what the real binary printed for each config
// there and each argument vector of attach-args.json (recorded by record.mjs with realxl); our
// xl must print the same bytes and exit the same way, without reaching the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { xlMain } from '../../src/cli/xl/main.ts';
import { bufferIo } from '../../src/cli/xl/io.ts';

interface Case { args: string[]; stdout: string; stderr: string; exitCode: number }
const dir = fileURLToPath(new URL('fixtures/xl-devices/', import.meta.url));
const cases = JSON.parse(readFileSync(`${dir}cases.json`, 'latin1')) as Case[];

async function ourXl(args: string[]): Promise<Omit<Case, 'args'>> {
  const io = bufferIo();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const exitCode = await xlMain(args, io, async () => { throw new Error(`xl ${args.join(' ')} asked for the daemon`); });
    const stdout = io.stdout.replace(/"uuid": "[0-9a-f-]{36}"/, '"uuid": "<generated>"');
    return { stdout, stderr: io.stderr, exitCode };
  } finally { process.chdir(cwd); }
}

for (const group of ['pci', 'gfx', 'usb', 'vtpm', 'vkb', 'vdispl', 'vsnd', 'chan', 'cpuid', 'vpmu', 'combo']) {
  test(`xl -N create: ${group} configs print what the real xl prints`, async () => {
    const mine = cases.filter(c => c.args[1] === 'create' && c.args[2].startsWith(`${group}-`));
    assert.ok(mine.length >= 3);
    for (const { args, ...want } of mine) assert.deepEqual(await ourXl(args), want, args.join(' '));
  });
}

test('xl -N <device>-attach: the dry-run JSON or the real refusal of -N', async () => {
  const attach = cases.filter(c => c.args[1] !== 'create');
  assert.ok(attach.length >= 20);
  for (const { args, ...want } of attach) assert.deepEqual(await ourXl(args), want, args.join(' '));
});

test('the corpus holds at least 40 configs', () => {
  assert.ok(cases.filter(c => c.args[1] === 'create').length >= 40);
});
