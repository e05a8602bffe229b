// Running a program with arguments that are arbitrary bytes (node's spawn takes only strings and
// encodes them as UTF-8): bash passes $'\ooo' words through as they are. Output is read as latin1,
// one character per byte, so that tests compare bytes.
import { spawnSync } from 'node:child_process';

export interface ByteRun { status: number; stdout: string; stderr: string }

/** The bytes of a latin1 string (one character per byte), e.g. latin1('caf\xe9'). */
export function latin1(s: string): Buffer { return Buffer.from(s, 'latin1'); }

/** A bash word that is exactly these bytes. */
function word(a: string | Buffer): string {
  return `$'${[...(typeof a === 'string' ? Buffer.from(a) : a)].map(b => `\\${b.toString(8).padStart(3, '0')}`).join('')}'`;
}

/** Runs `file args...` with argv[0] = `argv0` (default: file). */
export function runBytes(file: string, args: (string | Buffer)[], o: { env?: NodeJS.ProcessEnv; argv0?: string; input?: string } = {}): ByteRun {
  const cmd = `exec -a ${word(o.argv0 ?? file)} ${[file, ...args].map(word).join(' ')}`;
  const r = spawnSync('bash', ['-c', cmd], { env: o.env ?? process.env, encoding: 'latin1', input: o.input, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
