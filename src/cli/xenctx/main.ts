// xenctx (tools/xentrace/xenctx.c): pause a domain, print a vCPU's registers, the code at its
// instruction pointer and its kernel stack from the guest's memory, then unpause it. The
// registers are the vCPU context the hypervisor keeps, the one a save or migration carries.
import { writeSync } from 'node:fs';
import { connectDaemon } from '../../client/autostart.ts';
import type { Connection } from '../../client/connection.ts';
import { hostPaths } from '../../protocol/paths.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { VcpuContextEntry } from '../../protocol/debug.ts';
import { decodeVcpuContext } from '../../formats/x86-vcpu-context.ts';
import { invokedName } from '../invoked-name.ts';
import { OptionsExit, parseOptions, type XenctxOptions } from './options.ts';
import { KERNEL_TEXT_ADDR, SymbolTable } from './symbols.ts';
import { printCtx64 } from './registers.ts';
import { GuestPages, MapFailed, printCode, printMem, printStack } from './memory.ts';

const out = (s: string): void => { if (s) writeSync(1, s); };
const err = (s: string): void => { if (s) writeSync(2, s); };

async function main(): Promise<number> {
  let o: XenctxOptions;
  try { o = parseOptions(invokedName(), process.argv.slice(2)); } catch (e) {
    if (e instanceof OptionsExit) { out(e.stdout); err(e.stderr); return e.status; }
    throw e;
  }
  const syms = new SymbolTable(o.kernelStart, o.kernelStartSet);
  if (o.symbolTable !== undefined && !syms.read(o.symbolTable)) { err(`failed to open symbol table ${o.symbolTable}\n`); return 255; }
  let conn: Connection;
  try { conn = await connectDaemon({ paths: hostPaths() }); } catch (e) {
    if (e instanceof ToolError) { err(`${e.message}\n`); return e.exitCode; }
    throw e;
  }
  try {
    await conn.request('xc.pause', { domid: o.domid, unpause: false });
    const mem = new GuestPages(async addr => {
      const { data } = await conn.request('xc.guestPage', { domid: o.domid, vcpu: o.vcpu, addr: addr.toString() });
      return data === null ? null : Buffer.from(data, 'hex');
    });
    const dump = (mode: 'memory' | 'stack' | 'ctx', vcpu: number) => dumpCtx(conn, o, syms, mem, vcpu, mode);
    if (o.memAddr !== undefined) { await dump('memory', o.vcpu); if (o.stkAddr !== undefined || o.allVcpus) out('\n'); }
    if (o.stkAddr !== undefined) { await dump('stack', o.vcpu); if (o.allVcpus) out('\n'); }
    if (o.allVcpus) {
      const { vcpus } = await conn.request('xc.vcpuContext', { domid: o.domid });
      for (const v of vcpus) {
        if (!v.online) { out(`vcpu${v.vcpu} offline\n\n`); continue; }
        out(`vcpu${v.vcpu}:\n`);
        await dump('ctx', v.vcpu);
        out('\n');
      }
    }
    if (o.doDefault) await dump('ctx', o.vcpu);
    await conn.request('xc.pause', { domid: o.domid, unpause: true });
    return 0;
  } catch (e) {
    if (e instanceof ToolError) { err(`${e.message}\n`); return e.exitCode; }
    throw e;
  } finally {
    conn.close();
  }
}

/** dump_ctx: -m's memory, -d's stack, or the registers, code and stack of one vCPU. */
async function dumpCtx(conn: Connection, o: XenctxOptions, syms: SymbolTable, mem: GuestPages, vcpu: number, mode: 'memory' | 'stack' | 'ctx'): Promise<void> {
  let entry: VcpuContextEntry;
  try { [entry] = (await conn.request('xc.vcpuContext', { domid: o.domid, vcpu })).vcpus as [VcpuContextEntry]; } catch (e) {
    // perror(): reported, and the dump of this vCPU ends there.
    if (e instanceof ToolError && e.exitCode === 0) { err(`${e.message}\n`); return; }
    throw e;
  }
  const c = decodeVcpuContext(Buffer.from(entry.context, 'hex'));
  const width = 8;
  const regs = { rip: c.rip, rsp: c.rsp, rbp: c.gpr.rbp };
  try {
    if (mode === 'memory') { out(await printMem(mem, o, width, o.memAddr!)); return; }
    if (mode === 'stack') { out(await printStack(mem, o, syms, width, regs, o.stkAddr!, false)); return; }
    out(printCtx64(c, syms, o.dispAll));
    out(await printCode(mem, c.rip));
    if (syms.kind(c.rip) >= KERNEL_TEXT_ADDR) out(await printStack(mem, o, syms, width, regs, c.rsp, true));
  } catch (e) {
    if (e instanceof MapFailed) { err(e.message); return; }
    throw e;
  }
}

main().then(code => process.exit(code), e => {
  // A closed pipe on stdout ends the tool as SIGPIPE ends the C one: silently.
  if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(141);
  err(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
