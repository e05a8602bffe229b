// The checkpointed (Remus) stream: after each checkpoint's memory and state, libxc's CHECKPOINT
// hands the stream to libxl, whose records end with CHECKPOINT_END; then the next checkpoint's
// PAGE_DATA follows. The reader switches layers there and refuses a CHECKPOINT_END out of place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LibxlRec, StreamReader, StreamWriter, encodeRecord, encodeXlHeader, type SaveGuestType, type StreamRecord,
} from '../../src/formats/save-stream/index.ts';
import { GuestMemory } from '../../src/hypervisor/guest-memory.ts';
import { seededRandom } from '../../src/machine/random.ts';

function checkpointed(type: SaveGuestType, checkpoints: number): Buffer {
  const mem = new GuestMemory(600, { seed: 7 });
  const w = new StreamWriter({ guestType: type, vcpus: 2, p2mSize: 600, tscKhz: 2_394_000 });
  const parts = [encodeXlHeader('{}'), w.start()];
  mem.enableLogDirty();
  const r = seededRandom(11);
  let pfns: ArrayLike<number> = mem.populatedPfns();
  for (let k = 0; k < checkpoints; k++) {
    for (const b of w.pages(mem, pfns)) parts.push(...b);
    parts.push(w.checkpoint());
    mem.dirty(30, r);
    pfns = mem.cleanDirtyBitmap();
  }
  return Buffer.concat(parts);
}

/** Record names after the static data, in order, read in 1000-byte chunks. */
function names(stream: Buffer): { reader: StreamReader; seq: string[] } {
  const reader = new StreamReader();
  const seq: StreamRecord[] = [];
  for (let at = 0; at < stream.length; at += 1000) { reader.feed(stream.subarray(at, at + 1000)); seq.push(...reader.records()); }
  return { reader, seq: seq.flatMap(r => (r.layer === 'libxc' || r.layer === 'libxl' ? [`${r.layer}:${r.name}`] : [])) };
}

test('a PV checkpoint: state, CHECKPOINT, then libxl CHECKPOINT_END; the next checkpoint follows in libxc', () => {
  const { reader, seq } = names(checkpointed('pv', 3));
  assert.equal(reader.error, null);
  assert.equal(reader.done, false, 'a Remus stream has no END until the primary stops');
  const tail = ['libxc:TSC info', 'libxc:Shared info', 'libxc:x86 PV vcpu basic', 'libxc:x86 PV vcpu extended', 'libxc:x86 PV vcpu basic', 'libxc:x86 PV vcpu extended', 'libxc:Checkpoint', 'libxl:Checkpoint end'];
  const ends = seq.flatMap((n, i) => (n === 'libxl:Checkpoint end' ? [i] : []));
  assert.equal(ends.length, 3);
  for (const e of ends) assert.deepEqual(seq.slice(e - tail.length + 1, e + 1), tail);
  assert.equal(seq[ends[0]! + 1], 'libxc:Page data', 'the second checkpoint starts with its dirty pages');
});

test('an HVM checkpoint carries the device model state between CHECKPOINT and CHECKPOINT_END', () => {
  const { reader, seq } = names(checkpointed('hvm', 2));
  assert.equal(reader.error, null);
  const at = seq.indexOf('libxc:Checkpoint');
  assert.deepEqual(seq.slice(at - 3, at + 3), ['libxc:TSC info', 'libxc:HVM context', 'libxc:HVM params', 'libxc:Checkpoint', 'libxl:Emulator context', 'libxl:Checkpoint end']);
});

test('CHECKPOINT_END outside a checkpoint is refused', () => {
  const w = new StreamWriter({ guestType: 'pv', vcpus: 1, p2mSize: 16, tscKhz: 2_394_000 });
  const start = w.start();
  // In the libxl layer before LIBXC_CONTEXT: the header, then a stray CHECKPOINT_END.
  const stray = Buffer.concat([encodeXlHeader('{}'), start.subarray(0, 16), encodeRecord(LibxlRec.CHECKPOINT_END)]);
  const r = new StreamReader();
  r.feed(stray);
  assert.equal(r.error?.message, 'Unexpected CHECKPOINT_END record in stream');
});
