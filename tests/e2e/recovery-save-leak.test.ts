// Save/restore cycles do not grow the daemon (issue 11, item 14). Each cycle is what xl save and
// xl restore ask of the daemon, driven over the control socket from here so that 200 cycles stay
// fast: a raw channel carries the stream out and back in. The daemon's RSS after the cycles must
// stay within a bound far below what the leak gave (each cycle's stream reader, with its buffers,
// was held by the unclaimed-channel timer for 30 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';
import { guestCfg } from './migrate-helpers.ts';
import { Connection } from '../../src/client/connection.ts';
import { openRawChannel } from '../../src/client/raw-channel.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--memory', '4G']); });
after(() => h.stop());

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

/**
 * A raw channel the daemon has seen before the request that takes it (a round trip on the
 * control connection lets it arrive), as when xl does other work between the two.
 */
async function channel(conn: Connection, control: string) {
  const ch = await openRawChannel(control);
  await conn.request('domain.list', {});
  return ch;
}

/** xl save: the daemon writes the stream into a raw channel; then the saved domain is destroyed. */
async function save(conn: Connection, control: string, dom: string): Promise<Buffer> {
  const ch = await channel(conn, control);
  const chunks: Buffer[] = [];
  ch.socket.on('data', d => chunks.push(d));
  const closed = new Promise(r => ch.socket.once('close', r));
  await conn.stream('domain.save', { dom, token: ch.token, live: false }, () => {}).done;
  await closed;
  await conn.request('domain.destroy', { dom });
  return Buffer.concat(chunks);
}

/** xl restore: the stream goes back in over a raw channel. */
async function restore(conn: Connection, control: string, stream: Buffer, config: Record<string, unknown>, workload: string | null): Promise<number> {
  const ch = await channel(conn, control);
  ch.socket.on('error', () => {});
  ch.socket.end(stream);
  let domid = -1;
  await conn.stream('domain.restore', {
    token: ch.token, config, workload: workload ?? undefined, configText: '', configFile: '', paused: false,
  }, e => { if (e.restored) domid = e.restored.domid; }).done;
  ch.socket.destroy();
  return domid;
}

test('200 save/restore cycles: the daemon grows by less than 40 MB', async () => {
  h.xlOk('create', guestCfg(h, 'cyc', { memory: 8 }));
  h.advance('5s');
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  const control = join(h.home, 'control.sock');
  const conn = await Connection.open(control);
  const { config, workload } = await conn.request('domain.saveConfig', { dom: 'cyc' });
  const cycle = async () => { await restore(conn, control, await save(conn, control, 'cyc'), config, workload); };
  // Warm up first: the JIT, the heap's working size and the allocator's arenas settle.
  for (let i = 0; i < 20; i++) await cycle();
  const start = rssKb(pid);
  for (let i = 0; i < 200; i++) await cycle();
  const grown = (rssKb(pid) - start) / 1024;
  conn.close();
  assert.ok(grown < 40, `the daemon grew by ${grown.toFixed(1)} MB over 200 cycles`);
  // Still one working guest, restored each time into a new domid.
  const rows = parseList(h.xlOk('list')).filter(r => r.name === 'cyc');
  assert.equal(rows.length, 1);
});
