// An HVM guest with serial='pty' has the node libxl writes once QEMU names the port's pty,
// /local/domain/N/serial/0/tty (issue 12), read through Debian's xenstore-ls as on a real host;
// a guest without an emulated serial port has no serial/ directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BIN, TestHost, haveBinary } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const ls = (path: string) => h.sys(haveBinary('xenstore-ls') ? 'xenstore-ls' : join(BIN, 'xenstore-ls'), ['-fp', path]);
const serialNodes = (name: string): string[] => {
  const id = row(h.xlOk('list'), name).id;
  return ls(`/local/domain/${id}`).stdout.split('\n').filter(l => l.includes('/serial')).map(l => l.replace(`/local/domain/${id}/`, ''));
};

test("serial='pty' gives serial/0/tty, each HVM guest its own pty; PV guests and HVM guests without a serial port have none", () => {
  h.xlOk('create', h.guestConfig('one', 'type = "hvm"\nserial = "pty"'));
  h.xlOk('create', h.guestConfig('two', 'type = "hvm"\nserial = "pty"'));
  h.xlOk('create', h.guestConfig('plain', 'type = "hvm"'));
  h.xlOk('create', h.guestConfig('pv'));
  const id = (n: string) => row(h.xlOk('list'), n).id;
  assert.deepEqual(serialNodes('one'), [
    `serial = ""   (n0,r${id('one')})`, `serial/0 = ""   (n0,r${id('one')})`, `serial/0/tty = "/dev/pts/1"   (n0,r${id('one')})`,
  ]);
  assert.ok(serialNodes('two').includes(`serial/0/tty = "/dev/pts/2"   (n0,r${id('two')})`));
  assert.deepEqual(serialNodes('plain'), []);
  assert.deepEqual(serialNodes('pv'), []);
  // A pty freed by a guest that went away is the next one handed out.
  h.xlOk('destroy', 'one');
  h.xlOk('create', h.guestConfig('three', 'type = "hvm"\nserial = "pty"'));
  assert.ok(serialNodes('three').includes(`serial/0/tty = "/dev/pts/1"   (n0,r${id('three')})`));
});
