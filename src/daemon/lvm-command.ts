// `xenlabd lvcreate|lvs|vgs|pvs|lvextend|lvreduce|lvresize|lvremove ARGS` (xenlab extensions):
// the LVM command runs in the host's Dom0; its output is passed through as it is, and a
// question it asks (lvremove of an active volume, a reduction) is put to the user on stderr
// and answered from stdin, then the command runs again with the answers.
import { readSync } from 'node:fs';
import { connectDaemon } from '../client/autostart.ts';

export const LVM_COMMANDS = ['lvcreate', 'lvs', 'vgs', 'pvs', 'lvextend', 'lvreduce', 'lvresize', 'lvremove'];

/** One line from stdin, or null at its end (yes_no_prompt then prints "[n]" and takes no). */
function readAnswer(): string | null {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n: number;
    try { n = readSync(0, buf, 0, 1, null); } catch (e: any) { if (e.code === 'EAGAIN') continue; return null; }
    if (n === 0) return line || null;
    if (buf[0] === 0x0a) return line;
    line += String.fromCharCode(buf[0]!);
  }
}

export async function lvmCommand(command: string, argv: string[]): Promise<void> {
  const conn = await connectDaemon();
  const answers: string[] = [];
  // Each run repeats the warnings before its questions: the user sees them once.
  let shown = '';
  const newErr = (s: string) => (s.startsWith(shown) ? s.slice(shown.length) : s);
  for (;;) {
    const r = await conn.request('lvm.run', { command, argv, answers });
    if (r.prompt === undefined) {
      conn.close();
      process.stdout.write(r.stdout);
      process.stderr.write(newErr(r.stderr));
      process.exitCode = r.exitCode;
      return;
    }
    process.stderr.write(newErr(r.stderr) + r.prompt);
    shown = r.stderr;
    const a = readAnswer();
    if (a === null) process.stderr.write('[n]\n');
    answers.push(a ?? 'n');
  }
}
