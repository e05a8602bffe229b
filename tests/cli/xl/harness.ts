// Runs xlMain in-process with captured output and a fake daemon that records its requests.
import { xlMain } from '../../../src/cli/xl/main.ts';
import { bufferIo } from '../../../src/cli/xl/io.ts';
import type { DaemonClient } from '../../../src/cli/xl/command.ts';
import { ToolError } from '../../../src/protocol/wire.ts';

export interface Run { status: number; stdout: string; stderr: string; requests: { type: string; args: any }[] }

/** `answers[type]` gives the result (or throws a ToolError) for each request type. */
export async function runXl(argv: string[], answers: Record<string, (args: any) => unknown> = {}, binDir?: string): Promise<Run> {
  const io = bufferIo();
  const requests: Run['requests'] = [];
  const fake: DaemonClient = {
    async request(type: string, args: any) {
      requests.push({ type, args });
      const a = answers[type];
      if (!a) throw new Error(`unexpected request ${type}`);
      return a(args) as any;
    },
    stream(type: string, args: any, onEvent: (e: any) => void) {
      requests.push({ type, args });
      const a = answers[type];
      const events = (a ? a(args) : []) as unknown[];
      for (const e of events) onEvent(e);
      return { done: Promise.resolve(), input: () => {}, cancel: () => {} };
    },
  } as DaemonClient;
  const status = await xlMain(argv, io, async () => fake, { binDir });
  return { status, stdout: io.stdout, stderr: io.stderr, requests };
}

export { ToolError };
