// Guests doing I/O, and their rates as the real xentop -b shows them over one delay of the
// virtual clock (for the tests of the device model and of Dom0's backend CPU).
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHost } from './host.ts';
import { parseBatch, type Row } from '../cli/xentop/row-format.ts';

export const MiB = 1024 * 1024;
/** blkfront's requests here: 128 sectors. */
const REQUEST_BYTES = 128 * 512;

/**
 * A guest with a vif and a vbd running `workload`: the vbd on a sparse image of its own, or with
 * `imageMiB` null on /dev/null, a device blkback leaves alone (where the test is about
 * Dom0's CPU, not about the bytes reaching a file).
 */
export function ioGuest(h: TestHost, name: string, workload: string, imageMiB: number | null = 32): void {
  let target = '/dev/null';
  if (imageMiB !== null) {
    target = join(h.home, `${name}.img`);
    const fd = openSync(target, 'w'); ftruncateSync(fd, imageMiB * MiB); closeSync(fd);
  }
  h.xlOk('create', h.guestConfig(name, `vif = [ 'bridge=xenbr0' ]\ndisk = [ '${target},raw,xvda,w' ]\nworkload = "${workload}"`));
}

export interface IoRates { dom0: Row; guests: Row[]; netRx: number[]; vbdWr: number[] }

/** xentop -b -i 2 -d DELAY: the second table, and each guest's NETRX and VBD_WR in bytes per second over the delay. */
export async function xentopRates(h: TestHost, delayS: number): Promise<IoRates> {
  const p = h.spawn('xentop', ['-b', '-i', '2', '-d', String(delayS)]);
  let out = '';
  const exited = new Promise<number | null>(r => p.on('close', c => r(c)));
  const tables = (): number => (out.match(/^ *Domain-0 /gm) ?? []).length;
  await new Promise<void>(resolve => {
    p.stdout.on('data', d => {
      const before = tables();
      out += d;
      if (before === 0 && tables() === 1) h.advance(`${delayS}s`);
      if (tables() === 2) resolve();
    });
  });
  assert.equal(await exited, 0);
  const rows = parseBatch(out).flatMap(l => (l.kind === 'row' ? [l.row] : []));
  const first = rows.slice(0, rows.length / 2), second = rows.slice(rows.length / 2);
  const guests = second.filter(r => r.name !== 'Domain-0');
  const was = (name: string): Row => first.find(r => r.name === name)!;
  return {
    dom0: second.find(r => r.name === 'Domain-0')!,
    guests,
    netRx: guests.map(r => (r.netRxK - was(r.name).netRxK) * 1024 / delayS),
    vbdWr: guests.map(r => (r.vbdWr - was(r.name).vbdWr) * REQUEST_BYTES / delayS),
  };
}
