// Our xenstore-* tools against the real Debian ones, byte for byte: two identical daemons, the
// real tools on one and ours on the other, the same commands; stdout, stderr and exit codes
// must match, and so must the trees they leave behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openXenstore } from '../../src/cli/xenstore/connect.ts';
import {
  REAL_BIN, buildOurTools, realToolsPresent, runTool, spawnTool, startXenstored, type Daemon,
} from '../cli/xenstore/harness.ts';

const skip = realToolsPresent() ? false : 'Debian xenstore-utils not installed (apt-get install xenstore-utils)';
let real: Daemon, ours: Daemon, ourBin: string;

const LONG = 'L'.repeat(150);
const TREE: string[][] = [
  ['/t/esc', 'tab\\there\\nnl\\\\bs\\x7f\\x80\\001q', '/t/long', LONG, '/t/a/b/c', 'deep', '/t/empty', ''],
  ['/t/quote', 'say "hi"', '/t/' + 'n'.repeat(90), 'long name', '/t/d/e/f/g/h/i/j/k', 'k'],
  ['/local/domain/3/name', 'guest3', '/local/domain/3/data/x', '1', '/local/domain/3/control/shutdown', ''],
  ['/t/dots/short', '1', '/t/dots/medium-length-name-here', 'value value value', '/t/dots/x', 'x'.repeat(45)],
];

before(async () => {
  if (skip) return;
  // One at a time, so that after() can stop whatever started if a later step fails.
  real = await startXenstored();
  ours = await startXenstored();
  ourBin = await buildOurTools();
  for (const d of [real, ours]) {
    for (const pairs of TREE) assert.equal(runTool(REAL_BIN, 'xenstore-write', pairs, d.socket).status, 0);
    runTool(REAL_BIN, 'xenstore-chmod', ['-r', '/local/domain/3', 'n3', 'r0'], d.socket);
    runTool(REAL_BIN, 'xenstore-chmod', ['/t/a', 'n0', 'r1', 'w2', 'b3'], d.socket);
    runTool(REAL_BIN, 'xenstore-chmod', ['/t/a/b', 'b7'], d.socket);
  }
});
after(async () => { await real?.stop(); await ours?.stop(); });

function both(name: string, args: string[]): void {
  const r = runTool(REAL_BIN, name, args, real.socket);
  const o = runTool(ourBin, name, args, ours.socket);
  const what = `${name} ${args.join(' ')}`;
  assert.equal(o.stdout, r.stdout, `stdout of ${what}`);
  assert.equal(o.stderr, r.stderr, `stderr of ${what}`);
  assert.equal(o.status, r.status, `exit code of ${what}`);
}

function sameTrees(): void {
  const r = runTool(REAL_BIN, 'xenstore-ls', ['-fp'], real.socket);
  const o = runTool(REAL_BIN, 'xenstore-ls', ['-fp'], ours.socket);
  assert.equal(o.stdout, r.stdout);
}

test('xenstore-ls: plain, -f, -p, -fp, subtrees, errors', { skip }, () => {
  for (const args of [[], ['-f'], ['-p'], ['-fp'], ['-pf'], ['/t'], ['-p', '/t/dots'], ['/t/a', '/local'], ['/nope'], ['-s', '/t/a'],
    ['/t/'], ['--flat', '/t/a'], ['-x'], ['-h'], ['-R'], ['--flat=1', '/t/a'], ['/local/domain/3/data/x']]) both('xenstore-ls', args);
});

test('xenstore-read / list / exists', { skip }, () => {
  for (const args of [['/t/esc'], ['/t/long', '/t/empty'], ['-p', '/t/esc', '/t/quote'], ['-R', '/t/esc'], ['-p', '-R', '/t/esc', '/t/long'],
    ['/nope'], ['/t/esc', '/nope', '/t/long'], [], ['-h'], ['-t', '/t/esc'], ['--pre', '/t/empty'], ['--r', '/t/esc'], ['--', '-p'],
    ['-s', '/t/esc'], ['/t/esc', '-p'], ['local/../x'], ['-h', '-x'], ['-x', '-h'], ['-y', '--zz', '-R', '/t/esc']]) both('xenstore-read', args);
  for (const args of [['/t'], ['-p', '/t'], ['-p', '/'], ['/t/a', '/t/d'], ['/nope'], ['/t', '/nope', '/t/a'], [], ['-f', '/t']]) both('xenstore-list', args);
  for (const args of [['/t'], ['/t', '/t/esc'], ['/nope'], ['/t', '/nope'], [], ['-p', '/t']]) both('xenstore-exists', args);
  for (const args of [[], ['foo'], ['read', '/t/esc'], ['read', '-x', '/t/esc'], ['ls', '/t/a'], ['read', '-h'], ['list', '-p', '/t/a']]) both('xenstore', args);
});

test('xenstore-write / rm / chmod change both trees the same way', { skip }, () => {
  const cases: [string, string[]][] = [
    ['xenstore-write', ['/w/one', 'v1']], ['xenstore-write', ['/w/two', 'a\\tb', '/w/three', '\\x41\\101\\q\\']],
    ['xenstore-write', ['-R', '/w/raw', 'a\\tb']], ['xenstore-write', ['/w/x']], ['xenstore-write', ['/bad//p', 'v']],
    ['xenstore-write', ['@foo', '1']], ['xenstore-write', ['/w/q', '1', '/bad path', '2']],
    ['xenstore-chmod', ['/w/one', 'n0', 'r1', 'w2', 'b3']], ['xenstore-chmod', ['/w/one', 'x1']], ['xenstore-chmod', ['/nope', 'n1']],
    ['xenstore-chmod', ['-r', '/t/d', 'n5', 'r0']], ['xenstore-chmod', ['-u', '/t/d/e/f', 'n6']], ['xenstore-chmod', ['/w/two', 'n1x', 'r0x10', 'rabc']],
    ['xenstore-chmod', ['/w/two']], ['xenstore-chmod', ['-u', 'rel', 'n0']],
    ['xenstore-rm', ['/w/one']], ['xenstore-rm', ['/w/one']], ['xenstore-rm', ['/nope/deeper']], ['xenstore-rm', ['-t', '/t/d/e/f/g/h/i/j/k']],
    ['xenstore-rm', ['/w/two', '/nope/x', '/w/three']], ['xenstore-rm', []], ['xenstore-rm', ['-p', '/w']],
  ];
  for (const [name, args] of cases) { both(name, args); sameTrees(); }
});

/** Runs xenstore-watch, waits for its first event (it is registered), then runs `act`. */
async function watchOutput(bin: string, d: Daemon, args: string[], act: () => void): Promise<[string, number | null]> {
  const p = spawnTool(bin, 'xenstore-watch', args, d.socket);
  let out = '';
  const lines = createInterface({ input: p.stdout! });
  // Act once every watch is in place: each path's initial event has arrived (acting after the
  // first one raced with the registration of the others).
  const paths = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-n').length;
  let seen = 0;
  lines.on('line', l => { out += l + '\n'; if (++seen === Math.max(paths, 1)) act(); });
  // 'close', not 'exit': the last lines may still be in the pipe when the process ends.
  await once(p, 'close');
  return [out, p.exitCode];
}

test('xenstore-watch -n: the same events as the real one, for write, mkdir, rm of a subtree and set-perms', { skip }, async () => {
  const script = (d: Daemon) => () => {
    for (const [n, a] of [
      ['xenstore-write', ['/ev/a/b', '1']], ['xenstore-write', ['/other', '1']], ['xenstore-chmod', ['/ev/a', 'n0', 'r2']],
      ['xenstore-rm', ['/ev/a']], ['xenstore-write', ['/ev/x', '1']],
    ] as [string, string[]][]) runTool(REAL_BIN, n, a, d.socket);
  };
  const args = ['-n', '9', '/ev', '/ev/a/b', '/ev/a'];
  const [ro, rc] = await watchOutput(REAL_BIN, real, args, script(real));
  const [oo, oc] = await watchOutput(ourBin, ours, args, script(ours));
  assert.equal(oo, ro);
  assert.equal(oc, rc);
  // What the reference says: the three initial events, the write seen by all three watches
  // (the node and both ancestors), then set-perms on /ev/a for its two watchers, ...
  assert.deepEqual(ro.trimEnd().split('\n'), ['/ev', '/ev/a/b', '/ev/a', '/ev/a/b', '/ev/a/b', '/ev/a/b', '/ev/a', '/ev/a', '/ev/a']);
  // ... and the rm of a subtree: the removed root for the watches on it and above, an exact
  // event for a watched descendant; MKDIR of a new node fires, of an existing one not.
  for (const d of [real, ours]) {
    runTool(REAL_BIN, 'xenstore-write', ['/ev/a/b', '1'], d.socket);
    const [out] = await watchOutput(REAL_BIN, d, ['-n', '7', '/ev', '/ev/a', '/ev/a/b', '/ev/m'], () => {
      runTool(REAL_BIN, 'xenstore-rm', ['/ev/a'], d.socket);
      void openXenstore(d.socket).then(async c => { await c.client.mkdir('/ev'); await c.client.mkdir('/ev/m'); c.close(); });
    });
    assert.deepEqual(out.trimEnd().split('\n').slice(4).sort(), ['/ev/a', '/ev/a', '/ev/a/b'].sort());
  }
  for (const d of [real, ours]) {
    const [out] = await watchOutput(REAL_BIN, d, ['-n', '3', '/ev', '/ev/n'], () => {
      void openXenstore(d.socket).then(async c => { await c.client.mkdir('/ev'); await c.client.mkdir('/ev/n'); c.close(); });
    });
    assert.deepEqual(out.trimEnd().split('\n'), ['/ev', '/ev/n', '/ev/n']);
  }
  for (const args2 of [['-n', '1', '/ev'], ['-n', '0', '/ev'], [], ['-h'], ['-n']]) both('xenstore-watch', args2);
});
