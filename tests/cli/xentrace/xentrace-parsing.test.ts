// xentrace's pure parts: the -c parser and its message, -e/-S/-M argument parsing, the -M buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpusOf, parseCpuMask, printCpuMask, CpuMaskError } from '../../../src/cli/xentrace/cpumask.ts';
import { OptionsExit, parseOptions } from '../../../src/cli/xentrace/options.ts';
import { MemBuffer } from '../../../src/cli/xentrace/membuf.ts';

test('-c: lists, ranges, open ranges, hex, all; the printed mask', () => {
  const cases: [string, number, number[], string][] = [
    ['0,2-3', 8, [0, 2, 3], '0xd'],
    ['-3', 8, [0, 1, 2, 3], '0xf'],
    ['5-', 8, [5, 6, 7], '0xe0'],
    ['0-0', 4, [0, 1, 2, 3], '0xf'], // parse_cpumask_range reads "N-0" as "N-"
    ['all', 16, Array.from({ length: 16 }, (_, i) => i), '0xffff'],
    ['0x105', 16, [0, 2, 8], '0x105'],
    ['9', 12, [9], '0x200'],
    ['0x5', 2, [0], '0x5'], // CPUs the host lacks are printed but not traced
  ];
  for (const [s, n, cpus, printed] of cases) {
    const m = parseCpuMask(s, n);
    assert.deepEqual(cpusOf(m, n), cpus, s);
    assert.equal(printCpuMask(m, n), `change cpumask to ${printed}\n`, s);
  }
  const bad: [string, string][] = [['1-2-3', ''], ['x', 'Invalid character in cpumask: x\n'], ['4-2', 'Wrong order of 4 and 2\n'], ['8', 'Specified higher value then there are CPUS!\n'], ['', '']];
  for (const [s, msg] of bad) assert.throws(() => parseCpuMask(s, 8), (e: unknown) => e instanceof CpuMaskError && e.stderr === msg, s);
});

test('-e names OR together, a number replaces; numbers are strtol base 0; -M suffixes', () => {
  assert.equal(parseOptions(['-e', 'sched', '-e', 'dom0op', 'f']).evtMask, 0x0006f000);
  assert.equal(parseOptions(['-e', 'hvm', '-e', '0x10f000', 'f']).evtMask, 0x0010f000);
  assert.equal(parseOptions(['-e', '010', 'f']).evtMask, 8);
  assert.equal(parseOptions(['-S', '0x10', '-s', '250', 'f']).tbufSize, 16);
  assert.equal(parseOptions(['--memory-buffer=2M', 'f']).memoryBuffer, 2 << 20);
  assert.equal(parseOptions(['-M', '3k', 'f']).memoryBuffer, 3072);
  assert.equal(parseOptions(['--time=7', 'f']).timeoutS, 7); // unambiguous prefix
  const o = parseOptions(['f', '-xXD']);
  assert.deepEqual([o.outfile, o.disableTracing, o.startDisabled, o.discard], ['f', false, true, true]);
  assert.throws(() => parseOptions(['-e', 'bogus', 'f']), (e: unknown) => e instanceof OptionsExit && e.code === 1 && e.stderr === 'Invalid option argument: bogus\n\n');
  assert.throws(() => parseOptions(['--d', 'f']), (e: unknown) => e instanceof OptionsExit && /is ambiguous/.test(e.stderr));
});

test('-M: whole windows dropped from the front, restarting at a low CPU', () => {
  const win = (cpu: number, size: number): Buffer => { const b = Buffer.alloc(12 + size); b.writeUInt32LE(0x2001f003, 0); b.writeInt32LE(cpu, 4); b.writeUInt32LE(size, 8); return b; };
  const m = new MemBuffer(300);
  for (const cpu of [0, 1, 2]) assert.equal(m.add(cpu, win(cpu, 80)), undefined);
  // 276 bytes held; a fourth window drops cpu0's, then cpu1's and cpu2's until a CPU <= 0 leads.
  m.add(0, win(0, 80));
  assert.deepEqual(m.contents().map(b => b.readInt32LE(4)), [0]);
  assert.match(m.add(1, win(1, 400))!, /reserve size 400 larger than buffer size 300/);
});
