// The control socket's framing and frame classification (issue 11, item 7): lines cut anywhere
// come out whole, an over-long line is refused, junk and shapeless frames are told apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSplitter, readClientFrame, rawChannelToken, ToolError } from '../../src/protocol/wire.ts';

test('frames cut at every byte boundary come out whole and in order', () => {
  const text = Buffer.from('{"id":1,"type":"host.info","args":{}}\n\n{"hello":"xenlab","version":1}\n{"id":2,"end":true}\n');
  for (let cut = 0; cut <= text.length; cut++) {
    const got: unknown[] = [];
    const s = new FrameSplitter(f => got.push(f));
    s.push(text.subarray(0, cut));
    s.push(text.subarray(cut));
    assert.deepEqual(got, [{ id: 1, type: 'host.info', args: {} }, { hello: 'xenlab', version: 1 }, { id: 2, end: true }]);
  }
});

test('a line longer than the bound throws E2BIG, even when it arrives in small pieces', () => {
  const s = new FrameSplitter(() => assert.fail('no frame'), 1000);
  s.push(Buffer.alloc(600, 'a'));
  assert.throws(() => s.push(Buffer.alloc(600, 'a')), (e: ToolError) => e.code === 'E2BIG');
  const ok: unknown[] = [];
  const t = new FrameSplitter(f => ok.push(f), 1000);
  t.push(Buffer.from(`"${'b'.repeat(997)}"\n`));
  assert.equal(ok.length, 1);
});

test('a line that is not JSON goes to onJunk, and the next line is read', () => {
  const junk: string[] = [];
  const got: unknown[] = [];
  const s = new FrameSplitter(f => got.push(f), 1 << 20, why => junk.push(why));
  s.push(Buffer.from('{"id":1,"ty\n\xff\xfe\n[1]\n'));
  assert.deepEqual(junk, ['a control frame is not JSON', 'a control frame is not JSON']);
  assert.deepEqual(got, [[1]]);
});

test('client frames: kinds, bad ids, prototype names as keys', () => {
  assert.deepEqual(readClientFrame(JSON.parse('{"id":3,"type":"domain.list","args":{"__proto__":1}}')), { kind: 'request', id: 3, type: 'domain.list', args: JSON.parse('{"__proto__":1}') });
  assert.deepEqual(readClientFrame({ id: 4, type: 'clock.get' }), { kind: 'request', id: 4, type: 'clock.get', args: {} });
  assert.deepEqual(readClientFrame({ id: 5, input: 'x' }), { kind: 'input', id: 5, input: 'x' });
  assert.deepEqual(readClientFrame({ id: 6, end: true }), { kind: 'end', id: 6 });
  assert.equal(readClientFrame({ hello: 'xenlab' }).kind, 'hello');
  for (const f of [null, 1, 'x', [], { type: 'x' }, { id: -1, type: 'x' }, { id: 1.5, type: 'x' }, { id: '1', type: 'x' }, { id: 1e308, type: 'x' }]) {
    const r = readClientFrame(f);
    assert.deepEqual([r.kind, 'id' in r && r.id], ['bad', null], JSON.stringify(f));
  }
  assert.deepEqual(readClientFrame({ id: 9, type: 7 }), { kind: 'bad', id: 9, why: 'a request needs a type (a string)' });
  assert.deepEqual(readClientFrame(JSON.parse('{"id":9,"constructor":1}')), { kind: 'bad', id: 9, why: 'a request needs a type (a string)' });
  assert.equal(rawChannelToken({ raw: 'ab12' }), 'ab12');
  assert.equal(rawChannelToken(null), undefined);
  assert.equal(rawChannelToken({ raw: 'x'.repeat(65) }), undefined);
});
