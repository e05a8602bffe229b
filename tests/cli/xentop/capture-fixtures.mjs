// Captures what the real xentop 4.17 prints (through /work/shared/tools/realxentop, a fake
// libxenstat fed from fixtures/host.data) for the batch-mode fixtures. Run by hand when the
// fixtures change; the tests only read the captured files.
// The shim's clock is offset so that the first sample is taken a little after T0 seconds;
// guests' CPU time is rate × (now − created), so CPU(sec) is stable and CPU(%) = rate × 100.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const realxentop = process.env.REALXENTOP ?? '/work/shared/tools/realxentop/realxentop';
export const T0 = 2000;
const cases = {
  'batch-default': [],
  'batch-nxv': ['-n', '-x', '-v'],
  'batch-rf': ['-r', '-f'],
  'batch-all': ['-n', '-x', '-v', '-r', '-f'],
  'batch-long': ['--networks', '--vbds', '--vcpus', '--repeat-header', '--full-name'],
  // Names in UTF-8 and with bytes that are not UTF-8 (fixtures/bytes.data).
  'bytes-default': [],
  'bytes-f': ['-f'],
};
const dataFile = name => join(here, name.startsWith('bytes-') ? 'bytes.data' : 'host.data');
for (const [name, args] of Object.entries(cases)) {
  const clock = join(here, '..', `.clock-${process.pid}`);
  writeFileSync(clock, String(T0 - Date.now() / 1000));
  const r = spawnSync(realxentop, ['-b', '-i', '2', '-d', '1', ...args], {
    env: { ...process.env, XENTOP_SHIM_DATA: dataFile(name), XENTOP_SHIM_CLOCK: clock },
  });
  spawnSync('rm', ['-f', clock]);
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr.toString()}`);
  writeFileSync(join(here, `${name}.out`), r.stdout);
  writeFileSync(join(here, `${name}.args`), args.join(' ') + '\n');
}
