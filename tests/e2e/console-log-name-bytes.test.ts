// A console log's file name carries the guest name's bytes (issue 12): xenconsoled names the log
// guest-NAME.log with the name as it is, so a name that is not UTF-8 ('s\xe9rvr', é as one byte)
// gives that byte in the file name, not U+FFFD's three bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { latin1 } from '../helpers/byte-args.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

test('the console log of a guest named with a non-UTF-8 byte is guest-<those bytes>.log', () => {
  const cfg = join(h.home, 'l.cfg');
  writeFileSync(cfg, latin1('name = "s\xe9rvr"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n'));
  h.xlOk('create', cfg);
  h.advance('5s');
  const dir = Buffer.from(join(h.home, 'logs/console'));
  const files = readdirSync(dir, { encoding: 'buffer' }).map(f => f.toString('latin1'));
  assert.ok(files.includes('guest-s\xe9rvr.log'), `files: ${JSON.stringify(files)}`);
  assert.ok(!files.some(f => f.includes('\xef\xbf\xbd')), 'no U+FFFD');
  const log = readFileSync(Buffer.concat([dir, latin1('/guest-s\xe9rvr.log')]), 'latin1');
  assert.match(log, /Linux version/);
});
