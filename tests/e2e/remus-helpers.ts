// Reading what xl remus and its stream show: the per-checkpoint lines of `xl -v remus` (a xenlab
// extension) and the libxc layer of a captured checkpointed stream.
import assert from 'node:assert/strict';
import { LibxcRec, LibxlRec, XL_HEADER_SIZE, encodeRecord } from '../../src/formats/save-stream/index.ts';
import type { TestHost } from '../helpers/host.ts';

export interface CheckpointLine { n: number; pages: number; bytes: number; pauseNs: bigint; suspendedAtNs: bigint; released: number; holding: number }

const LINE = /xenlab: remus checkpoint (\d+): (\d+) pages, (\d+) bytes, paused ([\d.]+) ms at ([\d.]+) s; network buffers released (\d+) packets, holding (\d+)/g;

/** "1.234567" (a decimal with up to 9 places) as an exact count of 10^-places units. */
function fixed(s: string, places: number): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * 10n ** BigInt(places) + BigInt((f + '0'.repeat(places)).slice(0, places));
}

export function checkpointLines(stderr: string): CheckpointLine[] {
  return [...stderr.matchAll(LINE)].map(m => ({
    n: Number(m[1]), pages: Number(m[2]), bytes: Number(m[3]), pauseNs: fixed(m[4]!, 6), suspendedAtNs: fixed(m[5]!, 9),
    released: Number(m[6]), holding: Number(m[7]),
  }));
}

/**
 * The stream libxc reads on the backup, as one file: the captured stream up to its last complete
 * checkpoint with the libxl records of each checkpoint (between CHECKPOINT and CHECKPOINT_END)
 * lifted out, closed by libxc's and libxl's END. verify-stream-v2's libxc verifier reads libxc
 * records until END, so it can check a checkpointed stream only in this form.
 */
export function libxcLayer(stream: Buffer): { stream: Buffer; checkpoints: number; lifted: number[] } {
  const xlEnd = XL_HEADER_SIZE + stream.readUInt32LE(44);
  const out: Buffer[] = [stream.subarray(0, xlEnd + 16)];
  let at = xlEnd + 16;
  let layer: 'libxl' | 'libxc-headers' | 'libxc' | 'checkpoint' = 'libxl';
  let kept = out.length, checkpoints = 0;
  const lifted: number[] = [];
  while (at + 8 <= stream.length) {
    if (layer === 'libxc-headers') { out.push(stream.subarray(at, at + 40)); at += 40; layer = 'libxc'; continue; }
    const type = stream.readUInt32LE(at), len = stream.readUInt32LE(at + 4);
    const end = at + 8 + ((len + 7) & ~7);
    if (end > stream.length) break;
    const rec = stream.subarray(at, end);
    at = end;
    if (layer === 'checkpoint') {
      lifted.push(type);
      if (type === LibxlRec.CHECKPOINT_END) { layer = 'libxc'; checkpoints++; kept = out.length; }
      continue;
    }
    out.push(rec);
    if (layer === 'libxl' && type === LibxlRec.LIBXC_CONTEXT) layer = 'libxc-headers';
    else if (layer === 'libxc' && type === LibxcRec.CHECKPOINT) layer = 'checkpoint';
  }
  return { stream: Buffer.concat([...out.slice(0, kept), encodeRecord(LibxcRec.END), encodeRecord(LibxlRec.END)]), checkpoints, lifted };
}

/** Advance a host's clock by `ns`; its new time (ns) as `xenlabd clock advance` prints it. */
export function advanceNs(h: TestHost, ns: bigint): bigint {
  const r = h.run('xenlabd', ['clock', 'advance', `${ns}ns`]);
  assert.equal(r.status, 0, r.stderr);
  const [s, f] = r.stdout.trim().split('.');
  return BigInt(s!) * 1_000_000_000n + BigInt(f!);
}

/** When the checkpoint after `c` is taken: an interval after `c` was committed. */
export const nextCheckpointAt = (c: CheckpointLine, intervalMs: bigint): bigint => c.suspendedAtNs + c.pauseNs + intervalMs * 1_000_000n;
