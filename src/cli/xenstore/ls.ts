// xenstore-ls: the recursive listing with the C tool's exact layout: indentation, names and
// values cut to the line width with `\...`, dot leaders before permissions with -p.

import { XsError, type XsClient } from '../../formats/xenstore-client.ts';
import { sanitiseValue } from './sanitise.ts';
import { strerror } from './strerror.ts';
import { errx } from './usage.ts';

export interface LsOptions { maxWidth: number; desiredWidth: number; wholePath: boolean; perms: boolean }

/** strlen(" = \"...\"") in the C tool. */
const TAG_LEN = 8;
/** STRING_MAX: longer child paths are not read (value shown as ':'). */
const STRING_MAX = 3072 + 1024;

/** printf's "%.*s": a negative precision means no limit. */
function cut(s: string, n: number): string { return n < 0 ? s : s.slice(0, n); }

export async function doLs(xs: XsClient, path: string, depth: number, o: LsOptions, out: string[], prog: string): Promise<void> {
  let children: string[];
  try {
    children = await xs.directory(path);
  } catch (e) {
    const code = e instanceof XsError ? e.code : 'EIO';
    // A node that vanished while recursing is skipped silently.
    if (depth && code === 'ENOENT') return;
    process.stdout.write(out.splice(0).join(''), 'latin1');
    errx(prog, `xs_directory (${path}): ${strerror(code)}`);
  }
  for (const name of children) {
    const newpath = `${path}${path.endsWith('/') ? '' : '/'}${name}`;
    let line = '';
    let linewid = 0;
    if (o.wholePath) line += newpath;
    else {
      line += ' '.repeat(depth);
      linewid = depth;
      const shown = cut(name, o.maxWidth - TAG_LEN - linewid);
      line += shown;
      linewid += shown.length;
    }
    const val = newpath.length < STRING_MAX ? await xs.readRaw(newpath).catch(() => null) : null;
    if (val === null) line += ':\n';
    else {
      const text = sanitiseValue(val);
      if (o.maxWidth < linewid + val.length + TAG_LEN) {
        line += ` = "${cut(text, o.maxWidth - TAG_LEN - linewid)}\\..."`;
      } else {
        const part = ` = "${text}"`;
        line += part;
        linewid += part.length;
        if (o.perms) {
          line += ' ';
          for (linewid++; linewid < Math.min(o.desiredWidth, o.maxWidth); linewid++) line += linewid & 1 ? '.' : ' ';
        }
      }
    }
    if (o.perms) {
      try {
        const perms = await xs.getPerms(newpath);
        line += `  (${perms.join(',')})`;
      } catch (e) {
        out.push(line);
        line = '';
        process.stdout.write(out.splice(0).join(''), 'latin1');
        process.stderr.write(`${prog}: \ncould not access permissions for ${name}: ${strerror(e instanceof XsError ? e.code : 'EIO')}\n`, 'latin1');
      }
    }
    out.push(line + '\n');
    await doLs(xs, newpath, depth + 1, o, out, prog);
  }
}
