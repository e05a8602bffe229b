// xenstore-{read,write,rm,list,exists,chmod,watch,ls} and `xenstore <mode>`: one program that
// switches on its name, as the C tools do, speaking the wire protocol to xenstored's socket.

import { basename } from 'node:path';
import { XsError, type XsClient } from '../../formats/xenstore-client.ts';
import { argvBytes } from '../../client/argv-bytes.ts';
import { openXenstore } from './connect.ts';
import { getoptLong, type LongOption } from '../../formats/libc/getopt.ts';
import { atoi } from '../../formats/libc/strtol.ts';
import { invokedName } from '../invoked-name.ts';
import { doLs, type LsOptions } from './ls.ts';
import { sanitiseValue, unsanitiseValue } from './sanitise.ts';
import { strerror } from './strerror.ts';
import { Exit, MODES, errx, usage, type Mode } from './usage.ts';

const LONGS: LongOption[] = [
  { name: 'help', hasArg: false, val: 'h' }, { name: 'flat', hasArg: false, val: 'f' },
  { name: 'prefix', hasArg: false, val: 'p' }, { name: 'tidy', hasArg: false, val: 't' },
  { name: 'upto', hasArg: false, val: 'u' }, { name: 'recurse', hasArg: false, val: 'r' },
  { name: 'number', hasArg: true, val: 'n' }, { name: 'raw', hasArg: false, val: 'R' },
];

/** Which modes accept which option letters ('h' and 's' go everywhere). */
const OPTION_MODES: Record<string, Mode[]> = {
  f: ['ls'], p: ['read', 'list', 'ls'], t: ['rm'], u: ['chmod'], r: ['chmod'], n: ['watch'], R: ['read', 'write'],
};

interface Opts { prefix: boolean; tidy: boolean; upto: boolean; recurse: boolean; nrWatches: number; raw: boolean; ls: LsOptions }


async function main(): Promise<number> {
  // argv[0] as invoked goes into usage lines and getopt's messages; errx prefixes its basename.
  const argv0 = invokedName();
  const prog = basename(argv0);
  const command = prog.replace(/\.c?js$/, '');
  // Paths, values and messages are bytes, one per character, as the C tools handle them.
  let args = argvBytes().map(a => a.toString('latin1'));
  let modeName: string;
  let inclMode = false;
  let getoptProg = argv0;
  if (command.startsWith('xenstore-')) {
    modeName = command.slice('xenstore-'.length);
  } else if (args.length === 0) {
    usage(prog, argv0, null, false);
  } else {
    modeName = args[0];
    getoptProg = args[0];
    args = args.slice(1);
    inclMode = true;
  }
  if (!(MODES as string[]).includes(modeName)) errx(prog, `unknown mode ${modeName}\n`);
  const mode = modeName as Mode;

  const opts: Opts = { prefix: false, tidy: false, upto: false, recurse: false, nrWatches: -1, raw: false,
    ls: { maxWidth: 80, desiredWidth: 60, wholePath: false, perms: false } };
  const { opts: parsed, operands } = getoptLong(getoptProg, args, 'hfspturn:R', LONGS);
  for (const o of parsed) {
    if ('message' in o) { process.stderr.write(o.message, 'latin1'); continue; }
    const { opt: c, arg } = o;
    if (c === 's') continue;
    if (c === 'h' || !OPTION_MODES[c]?.includes(mode)) usage(prog, argv0, mode, inclMode);
    if (c === 'f') opts.ls = { ...opts.ls, maxWidth: Math.floor(0x7fffffff / 2), desiredWidth: 0, wholePath: true };
    else if (c === 'p') opts.prefix = true;
    else if (c === 't') opts.tidy = true;
    else if (c === 'u') opts.upto = true;
    else if (c === 'r') opts.recurse = true;
    else if (c === 'n') opts.nrWatches = atoi(arg ?? '');
    else if (c === 'R') opts.raw = true;
  }
  if (mode === 'write' && operands.length % 2 === 1) usage(prog, argv0, mode, inclMode);
  if (mode !== 'ls' && operands.length === 0) usage(prog, argv0, mode, inclMode);
  opts.ls.perms = opts.prefix;
  if (mode === 'ls' && process.stdout.isTTY) opts.ls.maxWidth = (process.stdout.columns ?? 0) - 2;

  const transaction = mode === 'read' ? operands.length > 1 : mode === 'write' ? operands.length > 2
    : mode !== 'ls' && mode !== 'watch';

  let conn;
  try {
    conn = await openXenstore();
  } catch (e) {
    errx(prog, `xs_open: ${strerror(e instanceof XsError ? e.code : 'EIO')}`);
  }
  const xs = conn.client;
  try {
    if (mode === 'ls') {
      const out: string[] = [];
      try {
        for (const p of operands.length ? operands : ['/']) await doLs(xs, p, 0, opts.ls, out, prog);
      } finally {
        process.stdout.write(out.join(''), 'latin1');
      }
      return 0;
    }
    if (mode === 'watch') { await doWatch(xs, conn.closed, prog, operands, opts.nrWatches); return 0; }
    for (;;) {
      let tx = 0;
      if (transaction) {
        try { tx = await xs.transactionStart(); } catch { errx(prog, "couldn't start transaction"); }
      }
      const out: Buffer[] = [];
      const ret = await perform(xs, tx, mode, operands, opts, out, prog);
      if (transaction) {
        try {
          await xs.transactionEnd(tx, ret === 0);
        } catch (e) {
          if (ret === 0 && e instanceof XsError && e.code === 'EAGAIN') continue;
          errx(prog, "couldn't end transaction");
        }
      }
      if (out.length) process.stdout.write(Buffer.concat(out));
      return ret;
    }
  } finally {
    conn.close();
  }
}

async function perform(xs: XsClient, tx: number, mode: Mode, keys: string[], o: Opts, out: Buffer[], prog: string): Promise<number> {
  const warn = (msg: string): void => { process.stderr.write(`${prog}: ${msg}\n`, 'latin1'); };
  const attempt = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try { return await f(); } catch (e) { if (e instanceof XsError) return undefined; throw e; }
  };
  switch (mode) {
    case 'read':
      for (const k of keys) {
        const v = await attempt(() => xs.readRaw(k, tx));
        if (!v) { warn(`couldn't read path ${k}`); return 1; }
        if (o.prefix) out.push(Buffer.from(`${k}: `, 'latin1'));
        out.push(o.raw ? v : Buffer.from(sanitiseValue(v) + '\n', 'latin1'));
      }
      return 0;
    case 'write':
      for (let i = 0; i < keys.length; i += 2) {
        const spec = Buffer.from(keys[i + 1], 'latin1');
        try {
          await xs.write(keys[i], o.raw ? spec : unsanitiseValue(spec), tx);
        } catch (e) {
          if (!(e instanceof XsError)) throw e;
          warn(`could not write path ${keys[i]}`);
          return 1;
        }
      }
      return 0;
    case 'rm':
      for (const k of keys) if (!(await rmOne(xs, tx, k, o.tidy, warn))) return 1;
      return 0;
    case 'exists':
      for (const k of keys) if (!(await attempt(() => xs.readRaw(k, tx)))) return 1;
      return 0;
    case 'list':
      for (const k of keys) {
        const list = await attempt(() => xs.directory(k, tx));
        if (!list) { warn(`could not list path ${k}`); return 1; }
        for (const c of list) out.push(Buffer.from(o.prefix ? `${k}/${c}\n` : `${c}\n`, 'latin1'));
      }
      return 0;
    case 'chmod': {
      const [path, ...modes] = keys;
      const perms = modes.map(m => {
        if (!'nrwb'.includes(m[0] ?? '\0') || m.length === 0) errx(prog, `Invalid permission specification: '${m[0] ?? ''}'`);
        return m[0] + String(atoi(m.slice(1)) >>> 0);
      });
      await doChmod(xs, tx, path, perms, o.upto, o.recurse, prog);
      return 0;
    }
    default:
      return 0;
  }
}

async function rmOne(xs: XsClient, tx: number, path: string, tidy: boolean, warn: (m: string) => void): Promise<boolean> {
  let p = path;
  for (;;) {
    try { await xs.rm(p, tx); } catch { warn(`could not remove path ${p}`); return false; }
    if (!tidy) return true;
    const slash = p.lastIndexOf('/');
    if (slash < 0) return true;
    p = p.slice(0, slash);
    // Tidy: also remove parents left with neither value nor children.
    const v = await xs.readRaw(p, tx).catch(() => null);
    if (!v || v.length !== 0) return true;
    const list = await xs.directory(p, tx).catch(() => null);
    if (!list || list.length !== 0) return true;
  }
}

async function doChmod(xs: XsClient, tx: number, path: string, perms: string[], upto: boolean, recurse: boolean, prog: string): Promise<void> {
  if (!path) return;
  try {
    await xs.setPerms(path, perms, tx);
  } catch (e) {
    errx(prog, `Error occurred setting permissions on '${path}': ${strerror(e instanceof XsError ? e.code : 'EIO')}`);
  }
  if (upto) {
    const slash = path.lastIndexOf('/');
    if (slash < 0) errx(prog, `Unable to locate path separator '/' in '${path}'`);
    await doChmod(xs, tx, path.slice(0, slash), perms, true, false, prog);
  }
  if (recurse) {
    const list = await xs.directory(path, tx).catch(() => null);
    // The C tool builds child paths in a 256-byte buffer.
    for (const c of list ?? []) await doChmod(xs, tx, `${path}/${c}`.slice(0, 255), perms, false, true, prog);
  }
}

async function doWatch(xs: XsClient, closed: Promise<void>, prog: string, keys: string[], max: number): Promise<void> {
  let count = 0;
  let wake: (() => void) | null = null;
  let gone = false;
  const queue: string[] = [];
  xs.onWatchEvent(path => { queue.push(path); wake?.(); });
  void closed.then(() => { gone = true; wake?.(); });
  for (const k of keys) {
    try { await xs.watch(k, k); } catch { errx(prog, `Unable to add watch on ${k}\n`); }
  }
  for (; max === -1 || count < max; count++) {
    while (queue.length === 0 && !gone) await new Promise<void>(r => { wake = r; });
    if (queue.length === 0) return;
    process.stdout.write(`${queue.shift()}\n`, 'latin1');
  }
}

main().then(code => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof Exit) { process.stderr.write(e.stderr, 'latin1'); process.exitCode = e.code; return; }
  throw e;
});
