// Helpers for tests that run our xentrace against a real xenlabd: the daemon's trace status,
// starting xentrace and knowing when its stream is open, and reading the file it wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { TestHost } from '../../helpers/host.ts';
import { Connection } from '../../../src/client/connection.ts';
import { hostPaths } from '../../../src/protocol/paths.ts';
import type { TraceStatus } from '../../../src/protocol/trace.ts';
import { decodeWindows, type TraceWindow } from '../../../src/formats/trace-record.ts';
import type { ArgsOf, RequestType, ResultOf } from '../../../src/protocol/requests.ts';

export async function daemonRequest<T extends RequestType>(h: TestHost, type: T, args: ArgsOf<T>): Promise<ResultOf<T>> {
  const conn = await Connection.open(hostPaths(h.home).control);
  try { return await conn.request(type, args); } finally { conn.close(); }
}

export const traceStatus = (h: TestHost): Promise<TraceStatus> => daemonRequest(h, 'trace.status', {});

export interface Running { proc: ChildProcess; exited: Promise<{ code: number | null; stdout: string; stderr: string }> }

/**
 * Start xentrace and resolve once the daemon streams to it (or it exited early): the clock may be
 * advanced from then on without losing the start. Polls the daemon's status, not the clock.
 */
export async function startXentrace(h: TestHost, args: string[], spawn: () => ChildProcess = () => h.spawn('xentrace', args)): Promise<Running> {
  const before = (await traceStatus(h)).readers;
  const proc = spawn();
  let stdout = '', stderr = '', gone = false;
  proc.stdout!.on('data', d => { stdout += d; });
  proc.stderr!.on('data', d => { stderr += d; });
  // 'close', not 'exit': the last of its output may still be unread when it has exited.
  proc.on('exit', () => { gone = true; });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>(r => proc.on('close', code => r({ code, stdout, stderr })));
  while (!gone && (await traceStatus(h)).readers <= before) await new Promise(r => setTimeout(r, 20));
  return { proc, exited };
}

export const traceFile = (h: TestHost, name: string): string => join(h.home, name);
export const windowsOf = (path: string): TraceWindow[] => decodeWindows(readFileSync(path));
/** Every record's event id, cpu and TSC, in file order. */
export function recordsOf(path: string): { cpu: number; event: number; tsc?: bigint; data: number[] }[] {
  return windowsOf(path).flatMap(w => w.records.map(r => ({ cpu: w.cpu, event: r.event, ...(r.tsc !== undefined ? { tsc: r.tsc } : {}), data: r.data })));
}

/** A PV guest config as the tests use them. */
export function guestConfig(name: string, extra = ''): string {
  return `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 2\nworkload = "cpu=80"\n${extra}`;
}
