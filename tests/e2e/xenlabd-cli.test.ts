// xenlabd's command line on yargs (issue 14, acceptance 5): generated help, bash completion
// through `xenlabd completion`, usage errors exiting 2, machine options reaching the daemon.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BIN, TestHost } from '../helpers/host.ts';

const h = new TestHost();
after(() => h.stop());

const COMMANDS = ['start', 'run', 'stop', 'status', 'env', 'clock', 'help', 'completion'];

test('help is generated for every command, on stdout with --help and help, on stderr for bad usage', () => {
  for (const args of [['--help'], ['help'], ['-h']]) {
    const r = h.run('xenlabd', args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /^Usage: xenlabd <command> \[options\]/);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  xenlabd ${c} `, 'm'), c);
  }
  const bare = h.run('xenlabd');
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^Usage: xenlabd <command>/);
  const unknown = h.run('xenlabd', ['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown argument: frobnicate\n$/);
  const start = h.run('xenlabd', ['start', '--help']);
  assert.equal(start.status, 0);
  for (const o of ['--host', '--cpus', '--memory', '--dom0-mem', '--clock', '--seed']) assert.match(start.stdout, new RegExp(`^ +${o} `, 'm'), o);
  const advance = h.run('xenlabd', ['clock', 'advance']);
  assert.equal(advance.status, 2);
  assert.match(advance.stderr, /^xenlabd clock advance <duration>/);
});

test('a bad machine option exits 2 naming it, and starts nothing', () => {
  for (const [opt, value, text] of [['--cpus', '0', 'invalid --cpus 0'], ['--memory', '12', 'invalid --memory 12'],
    ['--clock', 'fast', 'invalid --clock fast (real or virtual)'], ['--seed', 'x', 'invalid --seed x']]) {
    const r = h.run('xenlabd', ['start', opt!, value!]);
    assert.equal(r.status, 2, `${opt} ${value}`);
    assert.equal(r.stderr, `xenlabd: ${text}\n`);
  }
  assert.equal(h.run('xenlabd', ['start', '--bogus']).status, 2);
  assert.equal(h.run('xenlabd', ['status']).status, 3);
});

test('the machine options of start reach the daemon it spawns', () => {
  const r = h.run('xenlabd', ['start', '--clock=virtual', '--cpus', '2', '--memory', '3G', '--dom0-mem', '512M', '--host', 'yhost', '--seed', '7']);
  assert.equal(r.status, 0, r.stderr);
  const info = h.xlOk('info');
  assert.match(info, /^host +: yhost$/m);
  assert.match(info, /^nr_cpus +: 2$/m);
  assert.match(info, /^total_memory +: 3072$/m);
  assert.match(h.xlOk('list', '0'), /^Domain-0 +0 +512 /m);
  assert.match(h.run('xenlabd', ['clock']).stdout, /^virtual /);
});

/** What bash completes for `words` (the last one being completed) with xenlabd's completion script loaded. */
function complete(script: string, ...words: string[]): string[] {
  const r = h.sys('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _xenlabd_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('xenlabd completion prints a bash script that completes commands and options', () => {
  const prev = h.env.PATH;
  h.env.PATH = `${BIN}:${prev}`;
  try {
    const script = h.run('xenlabd', ['completion']);
    assert.equal(script.status, 0);
    assert.match(script.stdout, /^complete .* xenlabd$/m);
    assert.deepEqual(complete(script.stdout, 'xenlabd', 'c'), ['clock', 'completion']);
    assert.deepEqual(complete(script.stdout, 'xenlabd', 'start', '--c'), ['--clock', '--cpus']);
    assert.deepEqual(complete(script.stdout, 'xenlabd', 'clock', ''), ['advance']);
  } finally { h.env.PATH = prev; }
});
