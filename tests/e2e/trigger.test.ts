// xl trigger and button-press against a real daemon: ACPI buttons reach an HVM guest's Linux,
// which powers off cleanly (on_poweroff applies) or suspends to S3 until s3resume; an NMI shows
// in the guest's log; what Xen and libxl refuse is libxl's log line, and xl still exits 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const hvm = (name: string, body = ''): string => h.guestConfig(name, `type = "hvm"\n${body}`);
const consoleLog = (name: string): string => readFileSync(join(h.home, 'logs/console', `guest-${name}.log`), 'utf8');
const domid = (name: string): number => Number(h.xlOk('domid', name).trim());

test('xl trigger web power: the HVM guest shuts down cleanly and on_poweroff applies', () => {
  h.xlOk('create', hvm('web', 'on_poweroff = "preserve"'));
  h.xlOk('create', hvm('gone'));
  h.advance('5s');
  assert.deepEqual(h.xl('trigger', 'web', 'power'), { stdout: '', stderr: '', status: 0 });
  h.xlOk('trigger', 'gone', 'power');
  // Linux shuts down over simulated time, not at once.
  assert.notEqual(row(h.xlOk('list'), 'web').state[3], 's');
  h.advance('3s');
  const out = h.xlOk('list');
  assert.equal(row(out, 'web').state, '---s--', 'preserved, shut down');
  assert.ok(!parseList(out).some(r => r.name === 'gone'), 'on_poweroff=destroy');
  h.xlOk('destroy', 'web');
});

test('the sleep button suspends an HVM guest to S3 (paused) until xl trigger s3resume wakes it', () => {
  h.xlOk('create', hvm('sleepy'));
  h.advance('5s');
  const r = h.xl('button-press', 'sleepy', 'sleep');
  assert.deepEqual(r, { stdout: '', status: 0, stderr: 'WARNING: "button-press" is deprecated. Please use "trigger"\n' });
  assert.equal(row(h.xlOk('list'), 'sleepy').state[2], 'p', 'in S3 the domain is paused');
  assert.deepEqual(h.xl('trigger', 'sleepy', 's3resume'), { stdout: '', stderr: '', status: 0 });
  assert.notEqual(row(h.xlOk('list'), 'sleepy').state[2], 'p');
  const id = domid('sleepy');
  assert.deepEqual(h.xl('trigger', 'sleepy', 's3resume'), {
    stdout: '', status: 0,
    stderr: `libxl: error: libxl_qmp.c:1837:qmp_ev_parse_error_messages: Domain ${id}:Unable to wake up: guest is not in suspended state\n` +
      `libxl: error: libxl_domain.c:2162:domain_s3_resume_done: Domain ${id}:Send trigger 's3resume' failed, rc=-28\n`,
  });
  h.xlOk('destroy', 'sleepy');
});

test('a PV guest: an NMI shows in its log as Linux prints it; the ACPI triggers are refused as Xen and libxl refuse them', () => {
  h.xlOk('create', h.guestConfig('pv', 'vcpus = 2'));
  h.advance('5s');
  const id = domid('pv');
  assert.deepEqual(h.xl('trigger', 'pv', 'nmi', '1'), { stdout: '', stderr: '', status: 0 });
  assert.match(consoleLog('pv'), /\] Uhhuh\. NMI received for unknown reason 00 on CPU 1\.\r?\n\[[ \d.]+\] Dazed and confused, but trying to continue\r?\n/);
  const refused = (trigger: string, why: string) => ({
    stdout: '', status: 0, stderr: `libxl: error: libxl_domain.c:2207:libxl_send_trigger: Domain ${id}:Send trigger '${trigger}' failed: ${why}\n`,
  });
  assert.deepEqual(h.xl('trigger', 'pv', 'power'), refused('power', 'Invalid argument'));
  assert.deepEqual(h.xl('trigger', 'pv', 'reset'), refused('reset', 'Function not implemented'));
  assert.deepEqual(h.xl('trigger', 'pv', 'nmi', '2'), refused('nmi', 'No such process'));
  assert.deepEqual(h.xl('trigger', 'pv', 's3resume'), {
    stdout: '', status: 0, stderr: `libxl: error: libxl_domain.c:2162:domain_s3_resume_done: Domain ${id}:Send trigger 's3resume' failed, rc=-6\n`,
  });
  assert.equal(row(h.xlOk('list'), 'pv').state[3], '-', 'still running');
  h.xlOk('destroy', 'pv');
});

test("xl's own refusals: an unknown trigger or button, a vcpu that is no number", () => {
  h.xlOk('create', h.guestConfig('x'));
  assert.deepEqual(h.xl('trigger', 'x', 'wake'), { stdout: '', stderr: 'Invalid trigger "wake"\n', status: 1 });
  assert.deepEqual(h.xl('button-press', 'x', 'reset'), {
    stdout: '', status: 1, stderr: 'WARNING: "button-press" is deprecated. Please use "trigger"\nreset is an invalid button identifier\n',
  });
  assert.deepEqual(h.xl('trigger', 'x', 'NMI', 'abc'), { stdout: '', stderr: 'Invalid vcpuid, using default vcpuid=0.\n\n', status: 0 });
  const usage = h.xl('trigger', 'x');
  assert.equal(usage.status, 2);
  h.xlOk('destroy', 'x');
});
