// Issue 11 item 2: a domain name becomes exactly one file name inside the console log directory,
// whatever it holds ('/', '..', '%', NUL); ordinary names keep the real xenconsoled's file name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logFile } from '../../src/dom0/xenconsoled.ts';

const DIR = '/home/u/.local/state/xenlab/logs/console';

test('ordinary names keep guest-<name>.log', () => {
  assert.equal(logFile(DIR, 'web01'), `${DIR}/guest-web01.log`);
  assert.equal(logFile(DIR, ''), `${DIR}/guest-.log`);
  assert.equal(logFile(DIR, 'a b.c-d_e@1'), `${DIR}/guest-a b.c-d_e@1.log`);
});

test("'/', '%' and NUL are escaped, so '..' never becomes a path component", () => {
  assert.equal(logFile(DIR, '../../x/t1'), `${DIR}/guest-..%2F..%2Fx%2Ft1.log`);
  assert.equal(logFile(DIR, 'x/../../../../t1'), `${DIR}/guest-x%2F..%2F..%2F..%2F..%2Ft1.log`);
  assert.equal(logFile(DIR, '/etc/passwd'), `${DIR}/guest-%2Fetc%2Fpasswd.log`);
  assert.equal(logFile(DIR, '..'), `${DIR}/guest-...log`);
  // the escape is unambiguous: a name holding "%2F" is not the name holding '/'
  assert.equal(logFile(DIR, 'a%2Fb'), `${DIR}/guest-a%252Fb.log`);
  assert.equal(logFile(DIR, 'a\0b'), `${DIR}/guest-a%00b.log`);
});
