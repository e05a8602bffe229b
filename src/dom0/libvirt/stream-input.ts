// A libxl stream read from a Node stream (a save image's file, a migration's socket), as the
// toolstack's restore takes it.
import type { Readable } from 'node:stream';
import type { RestoreInput } from '../toolstack/restore.ts';

export function readableInput(make: () => Readable): RestoreInput {
  return {
    head: Buffer.alloc(0),
    open(data, end) {
      const s = make();
      s.on('data', data).once('end', end).once('close', end).on('error', () => {}).resume();
      return () => s.destroy();
    },
  };
}
