import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameSplitter, XS_ERRORS, XsType, decodeMessage, encodeMessage, packStrings, splitStrings, xsErrno, xsTypeName,
} from '../../src/formats/xenstore-wire.ts';

test('header is four little-endian u32 and the payload follows', () => {
  const buf = encodeMessage({ type: XsType.WRITE, reqId: 0x01020304, txId: 7, payload: Buffer.from('/a\0v') });
  assert.equal(buf.toString('hex', 0, 16), '0b000000' + '04030201' + '07000000' + '04000000');
  assert.equal(buf.toString('latin1', 16), '/a\0v');
  assert.deepEqual(decodeMessage(buf), { type: 11, reqId: 0x01020304, txId: 7, payload: Buffer.from('/a\0v') });
  assert.equal(decodeMessage(buf.subarray(0, 19)), null);
});

test('message type numbers and error table match xs_wire.h', () => {
  assert.equal(XsType.DIRECTORY_PART, 22);
  assert.equal(XsType.RESET_WATCHES, 21);
  assert.equal(xsTypeName(17), 'IS_DOMAIN_INTRODUCED');
  assert.equal(xsTypeName(0xffff), 'INVALID');
  assert.deepEqual(XS_ERRORS.map(e => e[0]).slice(0, 5), ['EINVAL', 'EACCES', 'EEXIST', 'EISDIR', 'ENOENT']);
  assert.equal(xsErrno('EAGAIN'), 11);
  assert.equal(xsErrno('EQUOTA'), undefined);
});

test('strings: NUL-terminated, a trailing unterminated part is kept', () => {
  assert.deepEqual(packStrings(['a', 'bc']), Buffer.from('a\0bc\0'));
  assert.deepEqual(splitStrings(Buffer.from('a\0bc\0')), { strings: ['a', 'bc'], terminated: true });
  assert.deepEqual(splitStrings(Buffer.from('/p\0val')), { strings: ['/p', 'val'], terminated: false });
  assert.deepEqual(splitStrings(Buffer.alloc(0)), { strings: [], terminated: true });
  // Bytes survive a latin1 round trip.
  const raw = Buffer.from([0x2f, 0xff, 0x80, 0]);
  assert.deepEqual(packStrings(splitStrings(raw).strings), raw);
});

test('splitter reassembles messages cut at every byte boundary', () => {
  const a = encodeMessage({ type: 2, reqId: 1, txId: 0, payload: Buffer.from('/x\0') });
  const b = encodeMessage({ type: 1, reqId: 2, txId: 3, payload: Buffer.alloc(0) });
  const stream = Buffer.concat([a, b]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const s = new FrameSplitter();
    const evs = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
    assert.deepEqual(evs.map(e => e.kind === 'message' ? [e.message.reqId, e.message.payload.toString()] : e.kind),
      [[1, '/x\0'], [2, '']]);
    assert.equal(s.pending, 0);
  }
});

test('splitter reports an oversized length once and stops', () => {
  const s = new FrameSplitter();
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(4097, 12);
  assert.deepEqual(s.push(hdr), [{ kind: 'oversize', type: 0, len: 4097 }]);
  assert.ok(s.broken);
  assert.deepEqual(s.push(encodeMessage({ type: 2, reqId: 0, txId: 0, payload: Buffer.from('/\0') })), []);
  // 4096 is allowed.
  const ok = new FrameSplitter();
  const evs = ok.push(encodeMessage({ type: 11, reqId: 0, txId: 0, payload: Buffer.alloc(4096) }));
  assert.equal(evs[0].kind, 'message');
});

test('splitter buffers at most one partial message', () => {
  const s = new FrameSplitter();
  const big = encodeMessage({ type: 11, reqId: 0, txId: 0, payload: Buffer.alloc(4096, 1) });
  s.push(big.subarray(0, 4000));
  assert.equal(s.pending, 4000);
  s.push(big.subarray(4000));
  assert.equal(s.pending, 0);
});
