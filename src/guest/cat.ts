// coreutils cat over the few files the guest's shell has: each named file in turn, GNU's error
// for one that is not there (the others still printed, exit status 1).
import type { CommandResult } from './command.ts';

export function cat(args: string[], files: Record<string, () => string>): CommandResult {
  let stdout = '', stderr = '';
  for (const f of args) {
    const read = files[f];
    if (read) stdout += read();
    else stderr += `cat: ${f}: No such file or directory\n`;
  }
  return { stdout, stderr, status: stderr ? 1 : 0 };
}
