// xenctx against a real daemon: the registers it prints for a paused guest are the vCPU
// contexts of the guest's save file (read here by a small reader of the stream layout and of
// vcpu_guest_context_x86_64, not by the code under test), and the tool fails as the real one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

/** The libxc records of an xl save file, in order: type and body. */
function libxcRecords(file: string): { type: number; body: Buffer }[] {
  const b = readFileSync(file);
  let at = 48 + b.readUInt32LE(44);
  at += 16; // libxl stream header
  const pad = (n: number): number => (n + 7) & ~7;
  for (;;) {
    const type = b.readUInt32LE(at), len = b.readUInt32LE(at + 4);
    at += 8;
    if (type === 1) break; // LIBXC_CONTEXT: the libxc stream follows
    at += pad(len);
  }
  at += 24 + 16; // libxc image header and domain header
  const out: { type: number; body: Buffer }[] = [];
  for (;;) {
    const type = b.readUInt32LE(at), len = b.readUInt32LE(at + 4);
    out.push({ type, body: b.subarray(at + 8, at + 8 + len) });
    if (type === 0) return out;
    at += 8 + pad(len);
  }
}

/** X86_PV_VCPU_BASIC bodies of an xl save file: vcpu id, padding, then the context. */
function vcpuRecords(file: string): Map<number, Buffer> {
  return new Map(libxcRecords(file).filter(r => r.type === 0x04).map(r => [r.body.readUInt32LE(0), r.body.subarray(8)]));
}

/** The HVM_CONTEXT record's CPU entries (struct hvm_hw_cpu, descriptor code 2) of an xl save file, by vCPU. */
function hvmCpuEntries(file: string): Map<number, Buffer> {
  const body = libxcRecords(file).find(r => r.type === 0x09)!.body;
  const out = new Map<number, Buffer>();
  for (let p = 0; p < body.length;) {
    const code = body.readUInt16LE(p), inst = body.readUInt16LE(p + 2), n = body.readUInt32LE(p + 4);
    if (code === 0) break;
    if (code === 2) out.set(inst, body.subarray(p + 8, p + 8 + n));
    p += 8 + n;
  }
  return out;
}

const hex = (v: bigint): string => v.toString(16).padStart(16, '0');

/** What xenctx must print for an hvm_hw_cpu, from the public header's offsets (rax at 512). */
function expectedHvm(cpu: Buffer): Record<string, string> {
  const order = ['rax', 'rbx', 'rcx', 'rdx', 'rbp', 'rsi', 'rdi', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip'];
  const regs: Record<string, string> = Object.fromEntries(order.map((n, i) => [n, hex(cpu.readBigUInt64LE(512 + 8 * i))]));
  regs.cr3 = hex(cpu.readBigUInt64LE(656 + 2 * 8));
  regs.cs = cpu.readUInt16LE(736).toString(16).padStart(4, '0');
  regs.ss = cpu.readUInt16LE(736 + 5 * 4).toString(16).padStart(4, '0');
  return regs;
}

/** What xenctx must print for a context, from the public header's offsets (cpu_user_regs at 520). */
function expected(ctx: Buffer): Record<string, string> {
  const names = ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi'];
  const regs: Record<string, string> = Object.fromEntries(names.map((n, i) => [n, hex(ctx.readBigUInt64LE(520 + 8 * i))]));
  regs.rip = hex(ctx.readBigUInt64LE(648));
  regs.rsp = hex(ctx.readBigUInt64LE(672));
  regs.cs = ctx.readUInt16LE(656).toString(16).padStart(4, '0');
  regs.ss = ctx.readUInt16LE(680).toString(16).padStart(4, '0');
  regs.cr3 = hex(ctx.readBigUInt64LE(4984 + 3 * 8));
  return regs;
}

/** The registers in xenctx's output ("rax: 0000..." pairs). */
function printed(out: string): Record<string, string> {
  const regs: Record<string, string> = {};
  for (const m of out.matchAll(/(?:^|\s)(r\w{1,2}|cs|ss|cr3): ([0-9a-f]+)/gm)) regs[m[1]!] ??= m[2]!;
  return regs;
}

test('xenctx on a guest restored paused prints the registers its save file carries, vCPU by vCPU', () => {
  h.xlOk('create', h.guestConfig('web', 'vcpus = 2'));
  h.advance('5s');
  const file = join(h.home, 'web.save');
  h.xlOk('save', 'web', file);
  const records = vcpuRecords(file);
  assert.deepEqual([...records.keys()], [0, 1]);
  h.xlOk('restore', '-p', file);
  const id = row(h.xlOk('list'), 'web').id;
  const one = h.run('xenctx', [String(id), '1']);
  assert.equal(one.status, 0, one.stderr);
  assert.deepEqual(printed(one.stdout), Object.fromEntries(Object.entries(expected(records.get(1)!)).filter(([k]) => k !== 'cr3')));
  assert.match(one.stdout, /^rip: [0-9a-f]{16}\nflags: 00000246 i z p\nrsp: /);
  assert.match(one.stdout, /\nCode \(instr addr ffffffff[0-9a-f]{8}\)\n(?:[0-9a-f]{2} ){21}<[0-9a-f]{2}> (?:[0-9a-f]{2} ){10}\n\n\nStack:\n(?: [0-9a-f]{16}){4}\n/);
  assert.match(one.stdout, /\nCall Trace:\n {20}\[<ffffffff[0-9a-f]{8}>\] <--\n$/);
  const all = h.run('xenctx', ['-a', '-C', String(id)]);
  assert.equal(all.status, 0, all.stderr);
  const [v0, v1] = all.stdout.split(/^vcpu\d:\n/m).slice(1);
  assert.deepEqual(printed(v0!), expected(records.get(0)!));
  assert.deepEqual(printed(v1!), expected(records.get(1)!));
  assert.equal(row(h.xlOk('list'), 'web').state[2], 'p', 'xenctx left the guest paused as it found it');
});

test('a running guest stops somewhere new each time it is paused; while paused it stays put', () => {
  h.xlOk('create', h.guestConfig('busy', 'workload = "cpu=50"'));
  h.advance('5s');
  const id = row(h.xlOk('list'), 'busy').id;
  h.xlOk('pause', 'busy');
  const first = h.run('xenctx', [String(id)]).stdout;
  assert.equal(h.run('xenctx', [String(id)]).stdout, first);
  h.xlOk('unpause', 'busy');
  h.advance('1s');
  h.xlOk('pause', 'busy');
  assert.notDeepEqual(printed(h.run('xenctx', [String(id)]).stdout), printed(first));
  h.xlOk('destroy', 'busy');
});

test("xenctx's refusals, in the real tool's words", () => {
  assert.deepEqual(h.run('xenctx', ['0']), { stdout: '', stderr: 'cannot trace dom0\n', status: 255 });
  assert.deepEqual(h.run('xenctx', ['web']), { stdout: '', stderr: 'cannot trace dom0\n', status: 255 }, 'atoi of a name is 0');
  assert.deepEqual(h.run('xenctx', ['4000']), { stdout: '', stderr: 'xc_domain_pause: No such process\n', status: 255 });
  assert.deepEqual(h.run('xenctx', []), { stdout: 'usage: xenctx [options] <domid> <optional vcpu>\n', stderr: '', status: 255 });
  const id = row(h.xlOk('list'), 'web').id;
  const both = h.run('xenctx', ['-C', String(id), '1']);
  assert.equal(both.status, 255);
  assert.match(both.stderr, /^\S*xenctx: both --all-vcpus and \[VCPU\] is not supported\n$/, 'argv[0] first');
  assert.deepEqual(h.run('xenctx', [String(id), '7']), { stdout: '', stderr: 'xc_vcpu_getcontext: Invalid argument\n', status: 0 });
});

test('an HVM guest: its save file carries the registers in hvm_hw_cpu entries, and xenctx on the restored guest prints them', () => {
  h.xlOk('create', h.guestConfig('win', 'type = "hvm"\nvcpus = 2\nworkload = "cpu=50"'));
  h.advance('5s');
  const file = join(h.home, 'win.save');
  h.xlOk('save', 'win', file);
  const cpus = hvmCpuEntries(file);
  assert.deepEqual([...cpus.keys()], [0, 1]);
  for (const cpu of cpus.values()) {
    assert.equal(cpu.length, 1032, 'sizeof(struct hvm_hw_cpu)');
    assert.notEqual(cpu.readBigUInt64LE(640), 0n, 'rip is saved');
    assert.equal(cpu.readBigUInt64LE(992) & 0x400n, 0x400n, 'EFER.LMA: a 64-bit guest');
  }
  h.xlOk('restore', '-p', file);
  const id = row(h.xlOk('list'), 'win').id;
  const all = h.run('xenctx', ['-a', '-C', String(id)]);
  assert.equal(all.status, 0, all.stderr);
  const [v0, v1] = all.stdout.split(/^vcpu\d:\n/m).slice(1);
  assert.deepEqual(printed(v0!), expectedHvm(cpus.get(0)!));
  assert.deepEqual(printed(v1!), expectedHvm(cpus.get(1)!));
  h.xlOk('destroy', 'win');
});
