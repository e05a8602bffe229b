// The LVM commands Dom0 runs for `xenlabd lvcreate|lvs|vgs|pvs|lvextend|lvreduce|lvresize|lvremove`
// (xenlab extensions): their options as LVM2 takes them, their output and messages, and their
// confirmations (lvremove of an active volume, a reduction), answered by the user through the
// tool: a command that needs an answer it was not given stops with the question, and the tool
// runs it again with the answers so far.
import { randomUUID } from 'node:crypto';
import type { HostBlockDevices } from './host-block.ts';
import { parseSizeArg, displaySize, type SizeArg } from './size.ts';
import { formatLvs, formatPvs, formatVgs } from './report.ts';
import {
  EINVALID_CMD_LINE, EXTENT_BYTES, LvmError, createLv, findLv, findVg, freeExtents, parseLvPath, removeLv, resizeLv, type ResizeMode,
} from './volume-group.ts';

export const LVM_COMMANDS = ['lvcreate', 'lvs', 'vgs', 'pvs', 'lvextend', 'lvreduce', 'lvresize', 'lvremove'] as const;
export type LvmCommand = typeof LVM_COMMANDS[number];

export interface LvmResult { stdout: string; stderr: string; exitCode: number; prompt?: string }

interface Parsed { opts: Map<string, string>; args: string[] }

/** The options each command takes: short letter → long name, and whether it takes a value. */
const OPTIONS: Record<string, [string, string, boolean][]> = {
  lvcreate: [['L', 'size', true], ['l', 'extents', true], ['n', 'name', true], ['p', 'permission', true], ['y', 'yes', false]],
  lvextend: [['L', 'size', true], ['f', 'force', false], ['y', 'yes', false]],
  lvreduce: [['L', 'size', true], ['f', 'force', false], ['y', 'yes', false]],
  lvresize: [['L', 'size', true], ['f', 'force', false], ['y', 'yes', false]],
  lvremove: [['f', 'force', false], ['y', 'yes', false]],
  lvs: [], vgs: [], pvs: [],
};

function usage(cmd: string, msg: string): never { throw new LvmError(`${msg}\n  Run \`${cmd} --help' for more information.`, EINVALID_CMD_LINE); }

function parse(cmd: string, argv: string[]): Parsed {
  const table = OPTIONS[cmd]!;
  const opts = new Map<string, string>(), args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const long = /^--([^=]+)(?:=(.*))?$/.exec(a);
    const short = /^-([A-Za-z])(.*)$/.exec(a);
    const spec = long ? table.find(o => o[1] === long[1]) : short ? table.find(o => o[0] === short[1]) : undefined;
    if (!long && !short) { args.push(a); continue; }
    if (!spec) usage(cmd, `${cmd}: ${long ? `unrecognized option '${a}'` : `invalid option -- '${short![1]}'`}\n  Error during parsing of command line.`);
    let value = '';
    if (spec[2]) {
      value = long ? long[2] ?? argv[++i]! : short![2] || argv[++i]!;
      if (value === undefined) usage(cmd, `${cmd}: option '${long ? `--${spec[1]}` : `-${spec[0]}`}' requires an argument\n  Error during parsing of command line.`);
    }
    opts.set(spec[1], value);
  }
  return { opts, args };
}

/** Run one LVM command against Dom0's block devices. `answers`: the user's answers to its questions so far, in order. */
export function runLvmCommand(devs: HostBlockDevices, cmd: LvmCommand, argv: string[], answers: string[]): LvmResult {
  let stdout = '';
  const out = (lines: string[]) => { stdout += lines.map(l => l + '\n').join(''); };
  let asked = 0;
  const confirm = (): boolean | undefined => asked < answers.length ? answers[asked++]!.toLowerCase().startsWith('y') : undefined;
  try {
    const p = parse(cmd, argv);
    const r = COMMANDS[cmd](devs, p, out, confirm);
    if (r) return { stdout, stderr: r.stderr, exitCode: 0, prompt: r.prompt };
    return { stdout, stderr: '', exitCode: 0 };
  } catch (e) {
    if (!(e instanceof LvmError)) throw e;
    return { stdout, stderr: `${e.message}\n`, exitCode: e.exitCode };
  }
}

type Confirm = () => boolean | undefined;
type Run = (devs: HostBlockDevices, p: Parsed, out: (lines: string[]) => void, confirm: Confirm) => { stderr: string; prompt?: string } | void;

/** A question the user has not answered yet: the command stops here, having changed nothing. */
class Question { constructor(readonly stderr: string, readonly prompt: string) {} }

function ask(confirm: Confirm, warnings: string, prompt: string): boolean {
  const a = confirm();
  if (a === undefined) throw new Question(warnings, prompt);
  return a;
}

const withQuestions = (run: Run): Run => (devs, p, out, confirm) => {
  try { return run(devs, p, out, confirm); } catch (e) {
    if (e instanceof Question) return { stderr: e.stderr, prompt: e.prompt };
    throw e;
  }
};

function lvArg(cmd: string, p: Parsed): { vg: string; lv: string } {
  if (!p.args.length) usage(cmd, '  Please specify a logical volume path.');
  const a = parseLvPath(p.args[0]!);
  if (!a) usage(cmd, `  Path required for Logical Volume "${p.args[0]}".`);
  return a;
}

function sizeOpt(cmd: string, p: Parsed, signed: boolean): SizeArg {
  const v = p.opts.get('size');
  if (v === undefined) usage(cmd, '  Please specify either size or extents.');
  const s = parseSizeArg(v);
  if (!s || (!signed && s.sign)) usage(cmd, `  Invalid argument for --size: ${v}\n  Error during parsing of command line.`);
  return s;
}

const lvcreate: Run = (devs, p, out) => {
  // -n takes a name, or VG/NAME (which then names the VG, or must agree with the one given).
  let name = p.opts.get('name');
  const qualified = name?.includes('/') ? parseLvPath(name) : undefined;
  if (qualified && p.args[0] && qualified.vg !== p.args[0]) usage('lvcreate', `  Inconsistent volume group names given: "${qualified.vg}" and "${p.args[0]}"`);
  if (qualified) name = qualified.lv;
  const vgName = p.args[0] ?? qualified?.vg;
  if (!vgName) usage('lvcreate', '  Please provide a volume group name');
  const vg = findVg(devs.md, vgName);
  let bytes: number;
  const extents = p.opts.get('extents');
  if (p.opts.has('size') && extents !== undefined) usage('lvcreate', '  Please specify either size or extents (not both).');
  if (extents !== undefined) {
    const m = /^(\d+)(?:%(FREE|VG))?$/.exec(extents);
    if (!m) usage('lvcreate', `  Invalid argument for --extents: ${extents}\n  Error during parsing of command line.`);
    const n = Number(m[1]);
    bytes = (m[2] === 'FREE' ? Math.floor(freeExtents(vg) * n / 100) : m[2] === 'VG' ? Math.floor(vg.totalExtents * n / 100) : n) * EXTENT_BYTES;
  } else bytes = sizeOpt('lvcreate', p, false).bytes;
  const perm = p.opts.get('permission') ?? 'rw';
  if (perm !== 'r' && perm !== 'rw') usage('lvcreate', `  Invalid argument for --permission: ${perm}\n  Error during parsing of command line.`);
  out(createLv(devs.md, { vg: vg.name, name, bytes, readOnly: perm === 'r', uuid: randomUUID() }));
  devs.commit();
};

const resize = (mode: ResizeMode): Run => withQuestions((devs, p, out, confirm) => {
  const cmd = mode === 'extend' ? 'lvextend' : mode === 'reduce' ? 'lvreduce' : 'lvresize';
  const size = sizeOpt(cmd, p, true);
  const { vg, lv } = lvArg(cmd, p);
  const before = findLv(devs.md, vg, lv).lv.extents;
  // Worked out on a copy: a reduction the user declines changes nothing.
  const trial = structuredClone(devs.md);
  const lines = resizeLv(trial, vg, lv, mode, size);
  const after = findLv(trial, vg, lv).lv.extents;
  let stderr = '';
  if (after < before) {
    stderr = `  WARNING: Reducing active${devs.lvOpen(vg, lv) ? ' and open' : ''} logical volume to ${displaySize(after * EXTENT_BYTES)}.\n  THIS MAY DESTROY YOUR DATA (filesystem etc.)\n`;
    if (!p.opts.has('force') && !p.opts.has('yes') && !ask(confirm, stderr, `Do you really want to reduce ${vg}/${lv}? [y/n]: `)) {
      throw new LvmError(`${stderr}  Logical volume ${vg}/${lv} NOT reduced.`);
    }
  }
  devs.md.vgs = trial.vgs;
  out(lines);
  devs.commit();
  return { stderr };
});

const lvremove: Run = withQuestions((devs, p, out, confirm) => {
  const { vg, lv } = lvArg('lvremove', p);
  const found = findLv(devs.md, vg, lv);
  const open = devs.lvOpen(vg, lv);
  if (!open && !p.opts.has('force') && !p.opts.has('yes') && !ask(confirm, '', `Do you really want to remove active logical volume ${vg}/${lv}? [y/n]: `)) {
    throw new LvmError(`  Logical volume ${vg}/${lv} not removed.`);
  }
  out(removeLv(devs.md, vg, lv, open));
  devs.discard(found.lv);
  devs.commit();
});

const COMMANDS: Record<LvmCommand, Run> = {
  lvcreate, lvextend: resize('extend'), lvreduce: resize('reduce'), lvresize: resize('resize'), lvremove,
  lvs: (devs, p, out) => {
    // Each argument, a VG or VG/LV, must exist; with none, every volume is shown.
    const named = p.args.map(a => { const q = parseLvPath(a); return q ? (findLv(devs.md, q.vg, q.lv), q) : { vg: findVg(devs.md, a).name, lv: undefined }; });
    out(formatLvs(devs.md, (vg, lv) => !named.length || named.some(n => n.vg === vg && (n.lv === undefined || n.lv === lv)), (vg, lv) => devs.lvOpen(vg, lv)));
  },
  vgs: (devs, p, out) => { for (const a of p.args) findVg(devs.md, a); out(formatVgs(devs.md, vg => !p.args.length || p.args.includes(vg))); },
  pvs: (devs, _p, out) => { out(formatPvs(devs.md)); },
};
