// xl's front door: global options, the help texts (against the real xl's, in fixtures/help),
// prefix matching, per-command option errors and exit codes (xl.md §1.1, §1.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { commandTable, formatFullHelp, lookupCommand } from '../../../src/cli/xl/command-table.ts';
import { runXl } from './harness.ts';

const fixture = (p: string) => readFileSync(new URL(`fixtures/${p}`, import.meta.url), 'utf8');
const helpFiles = readdirSync(new URL('fixtures/help/', import.meta.url)).map(f => f.replace(/\.txt$/, ''));

test('xl help is the real text, and the bash completion pipeline finds the 92 commands', () => {
  const full = formatFullHelp();
  assert.equal(full, fixture('help-all.txt'));
  // xl help 2>/dev/null | sed '1,4d' | awk '/^ [^ ]/ {print $1}'
  const names = full.split('\n').slice(4).filter(l => /^ [^ ]/.test(l)).map(l => l.trim().split(/\s+/)[0]);
  assert.equal(names.length, 92);
  assert.deepEqual(names, commandTable.map(c => c.name));
});

test('xl help <cmd> is byte-identical to the real xl for every command', async () => {
  assert.equal(helpFiles.length, 92);
  for (const name of helpFiles) {
    const r = await runXl(['help', name]);
    assert.equal(r.stdout, fixture(`help/${name}.txt`), name);
    assert.equal(r.status, 0);
  }
});

test('-h and --help print the command help and exit 0, before anything is asked of the daemon', async () => {
  for (const argv of [['list', '-h'], ['list', '--help'], ['destroy', '-h', 'x'], ['sched-credit2', '--help'], ['pci-list', '-h']]) {
    const r = await runXl(argv);
    assert.equal(r.status, 0, argv.join(' '));
    assert.equal(r.stdout, fixture(`help/${lookupCommand(argv[0])!.name}.txt`));
    assert.equal(r.requests.length, 0);
  }
});

test('no subcommand prints the full help on stdout and exits 1', async () => {
  const r = await runXl([]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, fixture('help-all.txt'));
});

test('help special cases: help help, unknown topics, prefixes', async () => {
  assert.equal((await runXl(['help', 'help'])).stdout, fixture('help-all.txt'));
  const unknown = await runXl(['help', 'foo']);
  assert.deepEqual([unknown.status, unknown.stdout], [0, 'command "foo" not implemented\n']);
  assert.equal((await runXl(['help', 'li'])).stdout, fixture('help/list.txt'));
  // help itself is not abbreviable
  const he = await runXl(['he']);
  assert.deepEqual([he.status, he.stderr], [1, 'command not implemented\n']);
});

test('prefix matching: unambiguous prefixes run the command, ambiguous ones fail', () => {
  assert.equal(lookupCommand('li')?.name, 'list');
  assert.equal(lookupCommand('vm')?.name, 'vm-list');
  assert.equal(lookupCommand('sha')?.name, 'sharing');
  assert.equal(lookupCommand('sh'), undefined);
  assert.equal(lookupCommand('l'), undefined);
  assert.equal(lookupCommand('list')?.name, 'list');
  // an exact name wins over being a prefix of another
  assert.equal(lookupCommand('vcpu-list')?.name, 'vcpu-list');
});

test('unknown and ambiguous commands', async () => {
  for (const c of ['foo', 'l', 'sh']) {
    const r = await runXl([c]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'command not implemented\n']);
  }
});

test('global options: +vftTN, stops at the subcommand, unknown ones fail', async () => {
  const bad = await runXl(['-h']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /invalid option -- 'h'\nunknown global option\n$/);
  const dry = await runXl(['-N', 'list']);
  assert.deepEqual([dry.status, dry.stderr], [1, 'command does not implement -N (dryrun) option\n']);
  // -vvtT are accepted; a -v after the subcommand belongs to the command
  const r = await runXl(['-vvtT', 'list', '-v'], { 'domain.list': () => [] });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Reason-Code/);
});

test('option errors: unknown letters, unknown long options, missing arguments', async () => {
  const x = await runXl(['list', '-x']);
  assert.deepEqual([x.status, x.stderr, x.stdout], [2, "option `x' not supported.\n", '']);
  const long = await runXl(['list', '--foo']);
  assert.deepEqual([long.status, long.stderr], [2, "option `\0' not supported.\n"]);
  const withArg = await runXl(['list', '--long=3']);
  assert.deepEqual([withArg.status, withArg.stderr], [2, "option `l' not supported.\n"]);
  const missing = await runXl(['sched-credit2', '-d']);
  assert.deepEqual([missing.status, missing.stderr], [2, "option `d' not supported.\n"]);
  const missingLong = await runXl(['sched-credit2', '--domain']);
  assert.deepEqual([missingLong.status, missingLong.stderr], [2, "option `d' not supported.\n"]);
});

test('too few arguments: the message, a blank line, the help on stdout, exit 2', async () => {
  const one = await runXl(['pause']);
  assert.deepEqual([one.status, one.stderr, one.stdout], [2, "'xl pause' requires at least 1 argument.\n\n", fixture('help/pause.txt')]);
  const three = await runXl(['vcpu-pin', '1']);
  assert.deepEqual([three.status, three.stderr], [2, "'xl vcpu-pin' requires at least 3 arguments.\n\n"]);
});

test('options end at the first operand (glibc keeps the order main()\'s "+vftTN" set up); -- ends them too', async () => {
  // Real xl: `list 0 -l` is two domain names, which list answers with its help and exit 1.
  const r = await runXl(['list', '0', '-l']);
  assert.deepEqual([r.status, r.stdout], [1, fixture('help/list.txt')]);
  const dashdash = await runXl(['pause', '--', '-h'], { 'domain.pause': () => ({}) });
  assert.equal(dashdash.status, 0);
  assert.deepEqual(dashdash.requests, [{ type: 'domain.pause', args: { dom: '-h' } }]);
});

test('commands xenlab does not implement say so and exit 1, but still give their help', async () => {
  const r = await runXl(['loadpolicy', 'xenpolicy-4.17']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^xl loadpolicy: not implemented in xenlab/);
  assert.equal((await runXl(['loadpolicy', '-h'])).status, 0);
});
