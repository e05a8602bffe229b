// Host memory accounting as xl info and xl list show it (issue 2, acceptance 4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--memory', '8G', '--dom0-mem', '1G']); });
after(() => h.stop());

const free = () => Number(h.xlOk('info', 'free_memory').trim());

const cfg = (name: string, body = ''): string => h.guestConfig(name, body);

test('create takes the guest memory from free_memory and destroy gives it back', () => {
  const f0 = free();
  h.xlOk('create', cfg('m1', 'memory = 1024\nmaxmem = 2048'));
  assert.equal(free(), f0 - 1024);
  assert.equal(row(h.xlOk('list'), 'm1').mem, 1024);
  h.xlOk('destroy', 'm1');
  assert.equal(free(), f0);
});

test('mem-set balloons the guest to the target over simulated time; mem-max bounds it', () => {
  const f0 = free();
  h.xlOk('create', cfg('m2', 'memory = 1024\nmaxmem = 2048'));
  h.advance('3s');
  h.xlOk('mem-set', 'm2', '512m');
  assert.equal(row(h.xlOk('list'), 'm2').mem, 1024, 'the balloon has not moved yet');
  h.advance('5s');
  assert.equal(row(h.xlOk('list'), 'm2').mem, 512);
  assert.equal(free(), f0 - 512);
  h.xlOk('mem-set', 'm2', '1536');
  h.advance('5s');
  assert.equal(row(h.xlOk('list'), 'm2').mem, 1536);
  const over = h.xl('mem-set', 'm2', '3g');
  assert.equal(over.status, 1);
  assert.match(over.stderr, /memory_dynamic_max must be less than or equal to memory_static_max/);
  const low = h.xl('mem-max', 'm2', '1g');
  assert.equal(low.status, 1);
  assert.match(low.stderr, /cannot set domid \d+ static max memory/);
  h.xlOk('mem-max', 'm2', '4g');
  h.xlOk('mem-set', 'm2', '3g');
  h.advance('10s');
  assert.equal(row(h.xlOk('list'), 'm2').mem, 3072);
  h.xlOk('destroy', 'm2');
  assert.equal(free(), f0);
});

test('a guest that does not fit fails with the real message and leaves nothing behind', () => {
  const f0 = free();
  const before = parseList(h.xlOk('list')).length;
  const nodesBefore = h.sys('xenstore-list', ['/local/domain']).stdout;
  const r = h.xl('create', cfg('huge', 'memory = 65536'));
  assert.equal(r.status, 3);
  assert.match(r.stderr, /xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory/);
  assert.match(r.stderr, /cannot \(re-\)build domain: -3/);
  assert.equal(free(), f0);
  assert.equal(parseList(h.xlOk('list')).length, before);
  assert.equal(h.sys('xenstore-list', ['/local/domain']).stdout, nodesBefore);
});
