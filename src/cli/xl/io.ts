// Where a command's output goes: stdout/stderr in production, strings in tests.
import { bytesFromText } from '../../formats/byte-text.ts';

export interface XlIo {
  out(s: string): void;
  err(s: string): void;
}

/** Ends the command with this exit status (after its messages were printed). */
export class CommandExit extends Error {
  constructor(public readonly status: number) { super(`exit ${status}`); }
}

/** Text goes out as the bytes it was read from (names and config strings are bytes to xl). */
export const processIo: XlIo = {
  out: s => { process.stdout.write(bytesFromText(s)); },
  err: s => { process.stderr.write(bytesFromText(s)); },
};

/** Collects output for tests. */
export function bufferIo(): XlIo & { stdout: string; stderr: string } {
  const b = { stdout: '', stderr: '', out(s: string) { b.stdout += s; }, err(s: string) { b.stderr += s; } };
  return b;
}
