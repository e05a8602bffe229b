// XDR (RFC 4506) as libvirt's RPC uses it, and the RPC frame around it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XdrError, XdrReader, XdrWriter } from '../../src/formats/xdr.ts';
import { decodeHeader, encodeFrame, FrameReader, MESSAGE_MAX } from '../../src/formats/libvirt/rpc.ts';
import { encodeRemoteError, VIR_ERR, VIR_FROM, VirError } from '../../src/formats/libvirt/errors.ts';

test('every type round-trips, big-endian and padded to four bytes', () => {
  const w = new XdrWriter().int(-2).uint(0xfffffffe).hyper(-3n).uhyper(2n ** 64n - 1n).bool(true).string('héllo')
    .opaque(Buffer.from([1, 2, 3])).fixedOpaque(Buffer.from('0123456789abcdef')).double(1.5);
  w.optional<string>(null, () => {}).optional('x', s => w.string(s)).array([7, 8], v => w.int(v));
  const b = w.toBuffer();
  assert.equal(b.length % 4, 0);
  assert.deepEqual([...b.subarray(0, 8)], [0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe]);
  const r = new XdrReader(b);
  assert.equal(r.int(), -2);
  assert.equal(r.uint(), 0xfffffffe);
  assert.equal(r.hyper(), -3n);
  assert.equal(r.uhyper(), 2n ** 64n - 1n);
  assert.equal(r.bool(), true);
  assert.equal(r.string(100), 'héllo');
  assert.deepEqual([...r.opaque(10)], [1, 2, 3]);
  assert.equal(r.fixedOpaque(16).toString(), '0123456789abcdef');
  assert.equal(r.double(), 1.5);
  assert.equal(r.optional(() => r.string(10)), null);
  assert.equal(r.optional(() => r.string(10)), 'x');
  assert.deepEqual(r.array(10, () => r.int()), [7, 8]);
  assert.equal(r.remaining, 0);
});

test('lengths are checked against the bound and the bytes present, before anything is allocated', () => {
  const over = new XdrWriter().uint(11).fixedOpaque(Buffer.alloc(12)).toBuffer();
  assert.throws(() => new XdrReader(over).string(10), XdrError);
  assert.throws(() => new XdrReader(new XdrWriter().uint(1 << 30).toBuffer()).opaque(1 << 31), XdrError);
  assert.throws(() => new XdrReader(new XdrWriter().uint(1_000_000).toBuffer()).array(2_000_000, () => 0), XdrError);
  assert.throws(() => new XdrReader(Buffer.alloc(3)).int(), XdrError);
});

test('frames: the length counts itself, the header is six words, a stream is cut where the lengths say', () => {
  const f = encodeFrame({ prog: 0x20008086, vers: 1, proc: 66, type: 0, serial: 7, status: 0 }, Buffer.alloc(4, 9));
  assert.equal(f.readUInt32BE(0), 32);
  const { header, body } = decodeHeader(f);
  assert.deepEqual(header, { prog: 0x20008086, vers: 1, proc: 66, type: 0, serial: 7, status: 0 });
  assert.deepEqual([...body], [9, 9, 9, 9]);
  const fr = new FrameReader();
  const two = Buffer.concat([f, f]);
  assert.equal(fr.push(two.subarray(0, 5)).length, 0);
  assert.equal(fr.push(two.subarray(5, 40)).length, 1);
  assert.equal(fr.push(two.subarray(40)).length, 1);
});

test('impossible lengths are refused as libvirtd refuses them', () => {
  const len = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  assert.throws(() => new FrameReader().push(len(MESSAGE_MAX + 1)), /too large/);
  assert.throws(() => new FrameReader().push(len(8)), /too small/);
});

test('remote_error carries code, domain, the printed message and level VIR_ERR_ERROR', () => {
  const r = new XdrReader(encodeRemoteError(new VirError(VIR_ERR.NO_DOMAIN, VIR_FROM.LIBXL, "no domain with matching name 'x'")));
  assert.equal(r.int(), 42);
  assert.equal(r.int(), 41);
  assert.equal(r.optional(() => r.string(1000)), "Domain not found: no domain with matching name 'x'");
  assert.equal(r.int(), 2);
});
