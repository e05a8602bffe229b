// xl sysrq, debug-keys, set-parameters and sched-credit against a real daemon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const cfg = (name: string, body = ''): string => h.guestConfig(name, body);

test('sysrq c crashes the guest: on_crash=preserve keeps it as ---sc-, the default destroys it', () => {
  h.xlOk('create', cfg('kept', 'on_crash = "preserve"'));
  h.xlOk('create', cfg('gone'));
  h.advance('3s');
  h.xlOk('sysrq', 'kept', 'c');
  h.xlOk('sysrq', 'gone', 'c');
  h.advance('1s');
  const out = h.xlOk('list');
  assert.equal(row(out, 'kept').state, '---sc-');
  assert.ok(!parseList(out).some(r => r.name === 'gone'));
  h.xlOk('destroy', 'kept');
});

test('sysrq takes one letter', () => {
  const r = h.xl('sysrq', '0', 'ab');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Invalid sysrq\.\n\n$/);
  assert.match(r.stdout, /^Usage: xl \[-vtTf\] sysrq <Domain> <letter>/);
});

test('debug-keys is silent; the keys answer in the console ring', () => {
  const r = h.xl('debug-keys', 'h');
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  assert.match(h.xlOk('dmesg'), /^\(XEN\) 'h' pressed -> showing installed handlers$/m);
});

test('set-parameters writes hypfs /params: guest_loglvl gates guests\' lines, kept across a daemon restart; libxl\'s errors otherwise', () => {
  // An HVM guest's firmware writes its boot log to port 0xe9 at guest debug level.
  const guestLines = (): boolean => {
    h.xlOk('dmesg', '-c');
    h.xlOk('create', cfg('fw', 'type = "hvm"'));
    h.advance('2s');
    const seen = /^\(d\d+\) /m.test(h.xlOk('dmesg'));
    h.xlOk('destroy', 'fw');
    return seen;
  };
  assert.deepEqual(h.xl('set-parameters', 'guest_loglvl=all'), { stdout: '', stderr: '', status: 0 });
  h.run('xenlabd', ['stop']);
  h.start();
  assert.equal(guestLines(), true, 'the running Xen keeps what was set');
  h.xlOk('set-parameters', ' loglvl=error/warning  guest_loglvl=none');
  assert.equal(guestLines(), false);
  for (const [params, why] of [['nosuchparam=1', 'No such file or directory'], ['loglvl=loud', 'Invalid argument'], ['nologlvl', 'Invalid argument']]) {
    assert.deepEqual(h.xl('set-parameters', params!), {
      stdout: '', status: 1,
      stderr: `libxl: error: libxl.c:706:libxl_set_parameters: setting parameters: ${why}\ncannot set parameters: ${params}\n`,
    });
  }
  h.xlOk('set-parameters', 'loglvl=warning guest_loglvl=none/warning');
});

test('sched-credit on a credit2 host: nothing to list; a domain is not a credit domain', () => {
  assert.deepEqual(h.xl('sched-credit'), { stdout: '', stderr: '', status: 0 });
  const r = h.xl('sched-credit', '-d', '0');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'Name                                ID Weight  Cap\n');
  assert.equal(r.stderr, 'libxl_domain_sched_params_get returned credit2 not credit.\n');
  assert.equal(h.xl('sched-credit', '-w', '5').stderr, 'Must specify a domain.\n');
});

test('pause of Domain-0 is refused as Xen refuses a domain pausing itself; xl still exits 0, as it ignores libxl\'s failure', () => {
  for (const q of ['0', 'Domain-0']) {
    const r = h.xl('pause', q);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain 0:Pausing domain: Invalid argument\n');
    assert.equal(row(h.xlOk('list'), 'Domain-0').state, 'r-----');
  }
  // A guest is still paused and unpaused as before.
  h.xlOk('create', cfg('p1'));
  h.xlOk('pause', 'p1');
  assert.match(row(h.xlOk('list'), 'p1').state, /p/);
  h.xlOk('unpause', 'p1');
  h.xlOk('destroy', 'p1');
});

test('xl pause returns once the guest has stopped: no vCPU of it still runs, in any scheduler', () => {
  h.xlOk('cpupool-cpu-remove', 'Pool-0', '6-7');
  h.xlOk('cpupool-create', 'name="cred1"', 'sched="credit"', 'cpus=["6","7"]');
  h.xlOk('create', cfg('spin2', 'vcpus = 2\nworkload = "cpu=100"'));
  h.xlOk('create', cfg('spin1', 'vcpus = 2\nworkload = "cpu=100"\npool = "cred1"'));
  h.advance('1s');
  for (const dom of ['spin2', 'spin1']) {
    const rows = () => h.xlOk('vcpu-list', dom).trim().split('\n').slice(1).map(l => l.trim().split(/\s+/)[4]);
    assert.ok(rows().includes('r--'), `${dom} runs before the pause: ${rows()}`);
    h.xlOk('pause', dom);
    // domain_pause spins (vcpu_sleep_sync) until each vCPU is off its pCPU: nothing is left running.
    assert.ok(rows().every(st => !st.startsWith('r')), `${dom} right after xl pause, with no simulated time passing: ${rows()}`);
    h.xlOk('destroy', dom);
  }
  h.xlOk('cpupool-destroy', 'cred1');
  h.xlOk('cpupool-cpu-add', 'Pool-0', '6-7');
});
