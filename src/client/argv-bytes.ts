// A tool's arguments as the bytes it was given. Node decodes argv as UTF-8 and turns every byte
// that is not UTF-8 into U+FFFD; the C tools take their arguments as bytes. Linux keeps the exact
// bytes in /proc/self/cmdline (NUL-terminated, after node's own options and the script).
import { readFileSync } from 'node:fs';

let words: Buffer[] | null | undefined;
/** /proc/self/cmdline split into its words, read once; null where there is no procfs. */
export function cmdlineWords(): Buffer[] | null {
  if (words !== undefined) return words;
  try {
    const raw = readFileSync('/proc/self/cmdline');
    words = [];
    for (let start = 0; start < raw.length;) {
      const end = raw.indexOf(0, start);
      words.push(raw.subarray(start, end < 0 ? raw.length : end));
      start = end < 0 ? raw.length : end + 1;
    }
  } catch { words = null; }
  return words;
}

/** The arguments after the script (process.argv.slice(2)) as raw bytes. */
export function argvBytes(): Buffer[] {
  const count = process.argv.length - 2;
  const all = cmdlineWords();
  if (all) {
    const args = all.slice(Math.max(0, all.length - count));
    // Only if they are the same arguments (nothing rewrote the process title).
    if (args.length === count && args.every((b, i) => b.toString() === process.argv[i + 2])) return args;
  }
  // No procfs: the decoded arguments are all there is.
  return process.argv.slice(2).map(a => Buffer.from(a));
}
