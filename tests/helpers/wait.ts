// Waiting on another process in real time (a tool starting, a watch firing), for as long as a
// loaded CI machine may need: a short budget turns slowness into a failure, so the only limit is
// a generous one that turns a hang into a readable failure.
import type { ChildProcess } from 'node:child_process';

/** Real-time budget for another process to act: far beyond any slowness, short of a hang. */
const HANG_MS = 120_000;

/** Poll `cond` (cheap, or a short synchronous tool run) until it holds; throws `what` on a hang. */
export async function until(cond: () => boolean, what: string | (() => string)): Promise<void> {
  for (const end = Date.now() + HANG_MS; !cond();) {
    if (Date.now() > end) throw new Error(`${typeof what === 'string' ? what : what()}: not after ${HANG_MS / 1000} s`);
    await new Promise(r => setTimeout(r, 25));
  }
}

/** A child's complete stdout lines so far, and a wait for the n-th. */
export function stdoutLines(child: ChildProcess): { lines: () => string[]; atLeast: (n: number) => Promise<void> } {
  let out = '';
  child.stdout!.on('data', d => { out += d; });
  const lines = () => out.split('\n').slice(0, -1);
  return { lines, atLeast: n => until(() => lines().length >= n, () => `${n} lines from ${child.spawnfile} (it printed ${JSON.stringify(out)})`) };
}
