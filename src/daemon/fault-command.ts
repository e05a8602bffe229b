// `xenlabd fault add|list|clear` (a xenlab extension): the fault plane's requests from the command
// line. `add` prints the new fault's id (for scripts); `list` prints one line per fault, with
// its start and end in simulated seconds (as `xenlabd clock` prints the time).
import { connectDaemon } from '../client/autostart.ts';
import type { FaultInfo } from '../protocol/fault.ts';

export interface FaultAddArgs { kind: string; value?: number; domain: string; device?: string; forNs?: bigint }

const seconds = (ns: string | null): string => ns === null ? '-' : (Number(ns) / 1e9).toFixed(9);

const COLUMNS: [string, number, (f: FaultInfo) => string][] = [
  ['ID', 4, f => String(f.id)],
  ['KIND', 16, f => f.kind],
  ['DOMAIN', 20, f => `${f.name ?? '-'}(${f.domid})`],
  ['DEVICE', 8, f => f.device ?? '-'],
  ['VALUE', 8, f => f.value === null ? '-' : String(f.value)],
  ['START', 16, f => seconds(f.startNs)],
  ['END', 0, f => seconds(f.endNs)],
];

const row = (cells: string[]): string => cells.map((c, i) => c.padEnd(COLUMNS[i]![1])).join(' ').trimEnd() + '\n';

export async function faultAdd(a: FaultAddArgs): Promise<void> {
  const conn = await connectDaemon();
  const f = await conn.request('fault.add', {
    kind: a.kind, dom: a.domain, device: a.device, value: a.value, forNs: a.forNs?.toString(),
  });
  conn.close();
  process.stdout.write(`${f.id}\n`);
}

export async function faultList(): Promise<void> {
  const conn = await connectDaemon();
  const { faults } = await conn.request('fault.list', {});
  conn.close();
  process.stdout.write(row(COLUMNS.map(c => c[0])) + faults.map(f => row(COLUMNS.map(c => c[2](f)))).join(''));
}

export async function faultClear(id: number | undefined, all: boolean): Promise<void> {
  const conn = await connectDaemon();
  await conn.request('fault.clear', { id, all });
  conn.close();
}
