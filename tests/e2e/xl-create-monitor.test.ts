// xl create -F stays attached as real xl's create_domain does (xl_vmcontrol.c): it logs each
// shutdown and the config's action, follows the new domain an on_reboot restart builds, and
// leaves only when no domain is left to follow (issue 12, item 13).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';
import { readCore } from '../../src/formats/elf-core.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

/** xl create -F in the background: its stderr so far, a wait for text on it, and its exit. */
function foreground(cfg: string) {
  const child = h.spawn('xl', ['create', '-F', cfg]);
  let stderr = '';
  let waiter: { re: RegExp; resolve: () => void } | undefined;
  child.stderr.on('data', d => { stderr += d; if (waiter?.re.test(stderr)) { waiter.resolve(); waiter = undefined; } });
  child.stdout.resume();
  const exit = once(child, 'close').then(([code]) => code as number);
  return {
    pid: child.pid!,
    get stderr() { return stderr; },
    /** Resolves once stderr matches (event-driven), or fails if xl exits first. */
    waitFor: (re: RegExp) => re.test(stderr) ? Promise.resolve() : Promise.race([
      new Promise<void>(resolve => { waiter = { re, resolve }; }),
      exit.then(c => { throw new Error(`xl exited ${c} before ${re}:\n${stderr}`); }),
    ]),
    exit,
  };
}

const waiting = (name: string, domid: number, pid: number) => `Waiting for domain ${name} (domid ${domid}) to die [pid ${pid}]\n`;

/** A guest with this on_reboot under xl create -F, booted, then rebooted by another xl. */
async function rebootUnderMonitor(name: string, onReboot: string) {
  const cfg = h.guestConfig(name, `on_reboot = '${onReboot}'`);
  const fg = foreground(cfg);
  await fg.waitFor(new RegExp(`Waiting for domain ${name}`));
  const first = row(h.xlOk('list'), name).id;
  h.advance('10s');
  h.xlOk('reboot', name);
  h.advance('10s');
  return { cfg, fg, first };
}

test('on_reboot=restart: -F follows the restarted domain until it is powered off', async () => {
  const { cfg, fg, first } = await rebootUnderMonitor('fg', 'restart');
  await fg.waitFor(/Done\. Rebooting now\nWaiting for domain fg \(domid \d+\)/);
  const second = row(h.xlOk('list'), 'fg').id;
  assert.notEqual(second, first);
  h.xlOk('shutdown', 'fg');
  h.advance('10s');
  assert.equal(await fg.exit, 0);
  assert.equal(fg.stderr, `Parsing config from ${cfg}\n` + waiting('fg', first, fg.pid) +
    `Domain ${first} has shut down, reason code 1 0x1\n` +
    'Action for shutdown reason code 1 is restart\n' +
    `Domain ${first} needs to be cleaned up: destroying the domain\n` +
    'Done. Rebooting now\n' + waiting('fg', second, fg.pid) +
    `Domain ${second} has shut down, reason code 0 0x0\n` +
    'Action for shutdown reason code 0 is destroy\n' +
    `Domain ${second} needs to be cleaned up: destroying the domain\n` +
    'Done. Exiting now\n');
  assert.ok(!h.xlOk('list').includes('fg'), 'no domain left');
});

test('on_reboot=preserve leaves the domain and -F exits; a destroy by another xl is a death', async () => {
  const { cfg, fg, first: id } = await rebootUnderMonitor('kept', 'preserve');
  assert.equal(await fg.exit, 0);
  assert.equal(fg.stderr, `Parsing config from ${cfg}\n` + waiting('kept', id, fg.pid) +
    `Domain ${id} has shut down, reason code 1 0x1\nAction for shutdown reason code 1 is preserve\nDone. Exiting now\n`);
  assert.match(row(h.xlOk('list'), 'kept').state, /^---s/, 'left shut down');
  h.xlOk('destroy', 'kept');

  const cfg2 = h.guestConfig('doomed');
  const fg2 = foreground(cfg2);
  await fg2.waitFor(/Waiting for domain doomed/);
  const id2 = row(h.xlOk('list'), 'doomed').id;
  h.xlOk('destroy', 'doomed');
  assert.equal(await fg2.exit, 0);
  assert.equal(fg2.stderr, `Parsing config from ${cfg2}\n` + waiting('doomed', id2, fg2.pid) + `Domain ${id2} has been destroyed.\n`);
});

test('on_reboot=rename-restart: the old domain is preserved under a suffix and -F follows the new one', async () => {
  const { cfg, fg, first } = await rebootUnderMonitor('rr', 'rename-restart');
  await fg.waitFor(/Done\. Rebooting now\nWaiting for domain rr/);
  const second = row(h.xlOk('list'), 'rr').id;
  const preserved = h.xlOk('list').split('\n').map(l => l.split(/\s+/)[0]!).find(n => n.startsWith('rr-'))!;
  assert.match(preserved, /^rr-\d{8}T\d{4}Z$/);
  h.xlOk('destroy', 'rr');
  assert.equal(await fg.exit, 0);
  assert.equal(fg.stderr, `Parsing config from ${cfg}\n` + waiting('rr', first, fg.pid) +
    `Domain ${first} has shut down, reason code 1 0x1\n` +
    'Action for shutdown reason code 1 is rename-restart\n' +
    `Preserving domain ${first} rr with suffix${preserved.slice(2)}\n` +
    'Done. Rebooting now\n' + waiting('rr', second, fg.pid) +
    `Domain ${second} has been destroyed.\n`);
  h.xlOk('destroy', preserved);
});

test('on_crash=coredump-destroy: -F logs where the core goes, the core is written (under XENLAB_HOME/dump), then the domain destroyed', async () => {
  const cfg = h.guestConfig('cd', "on_crash = 'coredump-destroy'");
  const fg = foreground(cfg);
  await fg.waitFor(/Waiting for domain cd/);
  const id = row(h.xlOk('list'), 'cd').id;
  h.advance('10s');
  h.xlOk('sysrq', 'cd', 'c');
  h.advance('1s');
  assert.equal(await fg.exit, 0);
  const core = join(h.home, 'dump', 'cd');
  assert.equal(fg.stderr, `Parsing config from ${cfg}\n` + waiting('cd', id, fg.pid) +
    `Domain ${id} has shut down, reason code 3 0x3\n` +
    'Action for shutdown reason code 3 is coredump-destroy\n' +
    `dumping core to ${core}\n` +
    `Domain ${id} needs to be cleaned up: destroying the domain\n` +
    'Done. Exiting now\n');
  assert.equal(readCore(readFileSync(core)).pfns.filter(p => p < 0xfeff0).length, 256 * 256, "the core holds the guest's 256 MiB");
  assert.ok(!h.xlOk('list').includes('cd'));
});
