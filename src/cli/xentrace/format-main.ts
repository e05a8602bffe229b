// xentrace_format: print a binary xentrace stream from stdin through a file of rules. Debian's
// 4.17 script no longer starts under Python 3; this one behaves as that script does under
// Python 2 — same fields, same output line for line, in file order — and reads stdin as a stream.
import { readFileSync } from 'node:fs';
import { PyFloat, PyFormatError, FormatsFileError, parseFormatsFile, pyDictRepr, pyFormat, type PyArgs } from '../../formats/trace-formats-file.ts';
import { TRC_EVENT_MASK, TRC_HD_CYCLE_FLAG, TRC_TRACE_CPU_CHANGE } from '../../formats/trace-record.ts';

const TRC_TRACE_IRQ = 0x1f004;
const TRC_PV_HYPERCALL_V2 = 0x20100d;
const TRC_PV_HYPERCALL_SUBCALL = 0x20100e;

const USAGE = `Usage: xentrace_format [-c MHZ] defs-file
Reads binary trace records as written by xentrace from standard input and
prints one line per record using the rules in defs-file. Each rule is a line

  <event id> <format>

where the format is a Python %-format over the fields cpu, tsc, reltsc,
event and 1 to 7 (the record's data words), e.g. %(cpu)d or 0x%(1)08x.
Rule 0x00000000, if present, formats events that have no rule of their own.
With -c MHZ the tsc field is printed in seconds at that clock rate.
`;

class Exit extends Error { constructor(readonly code: number) { super(`exit ${code}`); } }

/** Python getopt("c:"): options end at the first argument that is not one. */
function parseArgs(argv: string[]): { mhz: number; defs: string } {
  if (argv.length < 1) throw usage();
  let mhz = 0;
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-') {
    const a = argv[i++]!;
    if (a === '--') break;
    if (a.startsWith('--') || a[1] !== 'c') throw usage();
    const val = a.length > 2 ? a.slice(2) : argv[i++];
    if (val === undefined) throw usage();
    if (!/^\s*[+-]?\d+\s*$/.test(val)) {
      process.stderr.write(`ValueError: invalid literal for int() with base 10: '${val}'\n`);
      throw new Exit(1);
    }
    mhz = parseInt(val, 10);
  }
  const defs = argv[i];
  if (defs === undefined) {
    process.stderr.write('IndexError: list index out of range\n');
    throw new Exit(1);
  }
  return { mhz, defs };
}
function usage(): Exit { process.stderr.write(USAGE); return new Exit(1); }

/** Buffered stdout: one write per 64 KiB, waiting for the pipe to drain. */
class Out {
  private buf: string[] = [];
  private size = 0;
  line(s: string): Promise<void> | undefined {
    this.buf.push(s, '\n');
    this.size += s.length + 1;
    return this.size >= 65536 ? this.flush() : undefined;
  }
  flush(): Promise<void> {
    const data = this.buf.join('');
    this.buf = []; this.size = 0;
    return new Promise(resolve => { if (process.stdout.write(data)) resolve(); else process.stdout.once('drain', resolve); });
  }
}

async function main(argv: string[]): Promise<number> {
  const { mhz, defs } = parseArgs(argv);
  let rules: Map<number, string>;
  try {
    rules = parseFormatsFile(readFileSync(defs, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof FormatsFileError) { process.stderr.write(`${e.message}\n`); return 1; }
    if (err.code === 'ENOENT') { process.stdout.write(`[Errno 2] No such file or directory: '${defs}'\n`); return 1; }
    if (err.code === 'EACCES') { process.stdout.write(`[Errno 13] Permission denied: '${defs}'\n`); return 1; }
    if (err.code === 'EISDIR') { process.stdout.write(`[Errno 21] Is a directory: '${defs}'\n`); return 1; }
    throw e;
  }
  const fallback = rules.get(0);

  // A reader that goes away (`| head`) ends the run quietly, as the script's IOError handler does.
  process.stdout.on('error', e => { if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0); throw e; });
  let interrupted = false;
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, () => { interrupted = true; });

  const out = new Out();
  let cpu: number | undefined;
  const lastTsc: bigint[] = [0n];
  // The script's irq table is one dict shared by all 256 vectors; the figures accumulate across them.
  const irq = { count: 0, tot: 0, max: 0 };
  let pending: Buffer = Buffer.alloc(0);
  const words = [0, 0, 0, 0, 0, 0, 0];

  const print = async (s: string): Promise<void> => { const p = out.line(s); if (p) await p; };

  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    while (!interrupted && off + 4 <= pending.length) {
      const hdr = pending.readUInt32LE(off);
      const nData = (hdr >>> 28) & 7;
      const tscIn = (hdr & TRC_HD_CYCLE_FLAG) !== 0;
      const size = 4 + (tscIn ? 8 : 0) + 4 * nData;
      if (off + size > pending.length) break;
      let p = off + 4;
      let tsc = 0n;
      if (tscIn) { tsc = pending.readBigUInt64LE(p); p += 8; }
      for (let i = 0; i < 7; i++) words[i] = i < nData ? pending.readUInt32LE(p + 4 * i) : 0;
      off += size;

      const event = hdr & TRC_EVENT_MASK;
      if (event === TRC_TRACE_CPU_CHANGE) cpu = words[0]!;
      if (event === TRC_TRACE_IRQ) {
        const diff = words[2]! - words[1]!;
        if (diff < 0) { interrupted = true; break; }
        irq.count++; irq.tot += diff; if (irq.max < diff) irq.max = diff;
        words[1] = irq.count; words[2] = irq.tot; words[3] = irq.max;
      }
      if (event === TRC_PV_HYPERCALL_V2 || event === TRC_PV_HYPERCALL_SUBCALL) words[0] = words[0]! & 0x000fffff;
      if (cpu === undefined) {
        await out.flush();
        process.stderr.write("NameError: name 'cpu' is not defined (the trace does not start with a cpu_change record)\n");
        return 1;
      }
      if (cpu >= lastTsc.length) {
        while (lastTsc.length <= cpu) lastTsc.push(0n);
      } else if (tscIn && tsc < lastTsc[cpu]!) {
        await print(`TSC stepped backward cpu ${cpu} !  ${tsc} ${lastTsc[cpu]}`);
      }
      const reltsc = lastTsc[cpu]! > 0n && tscIn ? tsc - lastTsc[cpu]! : 0n;
      if (tscIn) lastTsc[cpu] = tsc;

      const rule = rules.get(event) ?? fallback;
      if (rule === undefined) continue;
      const args: PyArgs = {
        cpu, tsc: mhz ? new PyFloat(Number(tsc) / (mhz * 1e6)) : tsc, event, reltsc,
        1: words[0]!, 2: words[1]!, 3: words[2]!, 4: words[3]!, 5: words[4]!, 6: words[5]!, 7: words[6]!,
      };
      let line: string;
      try {
        line = pyFormat(rule, args);
      } catch (e) {
        if (!(e instanceof PyFormatError)) throw e;
        if (e.kind !== 'TypeError') {
          await out.flush();
          process.stderr.write(`${e.kind}: ${e.message}\n`);
          return 1;
        }
        await print(rule);
        await print(pyDictRepr(args));
        continue;
      }
      await print(line);
    }
    pending = pending.subarray(off);
    if (interrupted) break;
  }
  await out.flush();
  if (!interrupted && pending.length > 0) {
    process.stderr.write(`struct.error: ${pending.length} bytes at the end of the input are not a whole record\n`);
    return 1;
  }
  return 0;
}

// stdout is synchronous for files and pipes on Linux, so exiting here loses no output.
main(process.argv.slice(2)).then(
  code => process.exit(code),
  e => {
    if (!(e instanceof Exit)) process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(e instanceof Exit ? e.code : 1);
  },
);
