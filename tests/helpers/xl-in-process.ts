// xl's own main (xlMain, what bin/xl runs) called in the test's process against a TestHost's
// daemon over its control socket: the same parsing, requests and output as the binary, without
// a Node start-up per command, which is most of the wall time of tests that run xl many times.
// Tests keep the binary (TestHost.xl) where the process itself matters (exit codes of a crash,
// signals, argv[0], the environment).
import { xlMain } from '../../src/cli/xl/main.ts';
import { bufferIo } from '../../src/cli/xl/io.ts';
import { Connection } from '../../src/client/connection.ts';
import { hostPaths } from '../../src/protocol/paths.ts';
import { parseDuration } from '../../src/machine/clock.ts';
import { BIN, type RunResult, type TestHost } from './host.ts';

export async function xlIn(h: TestHost, ...args: string[]): Promise<RunResult> {
  const io = bufferIo();
  const status = await xlMain(args, io, () => Connection.open(hostPaths(h.home).control), { binDir: BIN });
  return { status, stdout: io.stdout, stderr: io.stderr };
}

/** Like xlIn() but throws unless xl exits 0; returns stdout. */
export async function xlInOk(h: TestHost, ...args: string[]): Promise<string> {
  const r = await xlIn(h, ...args);
  if (r.status !== 0) throw new Error(`xl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** `xenlabd clock advance DURATION`, as its request. */
export async function advanceIn(h: TestHost, duration: string): Promise<void> {
  const conn = await Connection.open(hostPaths(h.home).control);
  try { await conn.request('clock.advance', { ns: parseDuration(duration)!.toString() }); } finally { conn.close(); }
}
