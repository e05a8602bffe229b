// Text from bytes and back: valid UTF-8 decodes to its characters, every other byte to one escape,
// and encoding gives back the very bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesFromText, jsonWithRawBytes, textFromBytes } from '../../src/formats/byte-text.ts';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

test('valid UTF-8 decodes to its characters', () => {
  assert.equal(textFromBytes(Buffer.from('sérvr 😀 ok')), 'sérvr 😀 ok');
  assert.deepEqual(bytesFromText('sérvr 😀 ok'), Buffer.from('sérvr 😀 ok'));
});

test('each byte outside valid UTF-8 becomes U+DC80+byte and encodes back to itself', () => {
  assert.equal(textFromBytes(hex('73 e9 72')), 's\udce9r');
  // overlong, a UTF-16 surrogate in UTF-8, past U+10FFFF, a lone continuation, a cut sequence
  for (const bad of ['c0 af', 'ed a0 80', 'f4 90 80 80', '80', 'e2 82', 'f0 9f 98', 'ff fe']) {
    const t = textFromBytes(hex(bad));
    assert.equal(t.length, hex(bad).length, bad);
    assert.ok([...t].every(c => c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff), bad);
    assert.deepEqual(bytesFromText(t), hex(bad), bad);
  }
});

test('every byte string survives the round trip, JSON included', () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: next() % 12 }, () => (next() % 3 ? next() & 0xff : 0xc3 + (next() % 3))));
    const t = textFromBytes(b);
    assert.deepEqual(bytesFromText(t), b);
    assert.deepEqual(bytesFromText(JSON.parse(JSON.stringify(t))), b);
  }
  // an escape right after a real 4-byte character is still an escape
  assert.deepEqual(bytesFromText(textFromBytes(hex('f0 90 82 80 e9'))), hex('f0 90 82 80 e9'));
});

test('jsonWithRawBytes: JSON.stringify\'s escapes of escaped bytes become the bytes; text that looks like one stays', () => {
  const value = { name: textFromBytes(Buffer.from('73e972', 'hex')), text: '\\udce9 as typed', both: `\\${textFromBytes(Buffer.of(0xff))}` };
  const json = jsonWithRawBytes(JSON.stringify(value));
  assert.deepEqual(bytesFromText(json), Buffer.concat([Buffer.from('{"name":"s'), Buffer.of(0xe9), Buffer.from('r","text":"\\\\udce9 as typed","both":"\\\\'), Buffer.of(0xff), Buffer.from('"}')]));
  assert.deepEqual(JSON.parse(textFromBytes(bytesFromText(json))), value);
});
