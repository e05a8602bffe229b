// control.sock under hostile input (issue 11, item 7 and the fuzz acceptance): request types
// named after Object.prototype members, zero periods, over-long lines, then seeded random
// batches of junk frames and of every request and stream type of the protocol with wrong,
// huge and prototype-named arguments. After each batch the daemon is alive, `xl list` answers,
// and its resident memory stays under a bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { hostPaths } from '../../src/protocol/paths.ts';
import { requestArgs, streamArgs } from '../../src/protocol/schemas.ts';

let h: TestHost;
let pid: number;
before(() => {
  h = new TestHost().start();
  pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
});
after(() => h.stop());

/** A daemon that stops answering fails the test instead of hanging it. */
const STALL = { timeout: 60_000 };

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

/** A client speaking raw lines to control.sock, collecting every frame the daemon sends. */
class RawClient {
  readonly frames: any[] = [];
  readonly closed: Promise<void>;
  private text = '';
  private waiters: { id: number; resolve: (f: any) => void }[] = [];
  private readonly sock: Socket;

  constructor() {
    this.sock = connect(hostPaths(h.home).control);
    this.sock.on('error', () => {});
    this.sock.on('data', d => {
      this.text += d;
      let nl: number;
      while ((nl = this.text.indexOf('\n')) >= 0) {
        const f = JSON.parse(this.text.slice(0, nl));
        this.text = this.text.slice(nl + 1);
        this.frames.push(f);
        this.waiters = this.waiters.filter(w => (w.id === f.id && !('event' in f) ? (w.resolve(f), false) : true));
      }
    });
    this.closed = new Promise(r => this.sock.on('close', () => { for (const w of this.waiters) w.resolve(null); r(); }));
    this.write('{"hello":"xenlab","version":1}\n');
  }

  write(s: string | Buffer): void { if (!this.sock.destroyed) this.sock.write(s); }
  send(f: unknown): void { this.write(JSON.stringify(f) + '\n'); }

  /** The reply (or end) for `id`; null if the daemon closed the connection first. */
  reply(id: number): Promise<any> {
    const f = this.frames.find(x => x.id === id && !('event' in x));
    if (f) return Promise.resolve(f);
    if (this.sock.destroyed) return Promise.resolve(null);
    return new Promise(resolve => this.waiters.push({ id, resolve }));
  }

  request(id: number, type: string, args: unknown): Promise<any> { this.send({ id, type, args }); return this.reply(id); }
  close(): void { this.sock.destroy(); }
}

function rssKb(): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]);
}

function assertAlive(): void {
  assert.ok(existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')), 'the daemon is alive');
}

/** The daemon is alive and serves a new client: its process runs and `xl list` lists Domain-0. */
function assertServing(): void {
  assertAlive();
  const r = h.xl('list');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Domain-0 +0 /m);
}

test('request and stream types named after Object.prototype members are unknown requests', STALL, async () => {
  const c = new RawClient();
  let id = 1;
  for (const type of PROTO_NAMES) {
    const r = await c.request(id++, type, {});
    assert.deepEqual([r.ok, r.error.code, r.error.message], [false, 'ENOTSUP', `xenlabd: unknown request ${JSON.stringify(type)}`]);
  }
  const r = await c.request(id++, 'domain.list', { constructor: 1 });
  assert.deepEqual([r.ok, r.error.message], [false, 'xenlabd: bad request "domain.list": args has an unknown field "constructor"']);
  const ok = await c.request(id++, 'domain.resolve', { dom: 'constructor' });
  assert.equal(ok.ok, false);
  assert.match(ok.error.message, /constructor/);
  c.close();
  assertServing();
});

test('periodic streams refuse zero, negative and sub-millisecond periods', STALL, async () => {
  const c = new RawClient();
  let id = 1;
  for (const delayNs of ['0', '-1', '999999', '1e9', 0, 1e9]) {
    const r = await c.request(id++, 'stats.watch', { delayNs });
    assert.equal(r.ok, false, `stats.watch ${delayNs}`);
    assert.match(r.error.message, /^xenlabd: bad request "stats.watch": args.delayNs must be a decimal integer from 1000000 to 18446744073709551615$/);
  }
  const t = await c.request(id++, 'trace.windows', { pollNs: '0', disableAtStop: false, token: 'x' });
  assert.match(t.error.message, /args.pollNs must be a decimal integer from 1000000/);
  c.send({ id: 100, type: 'stats.watch', args: { delayNs: '1000000' } });
  assert.equal((await c.request(101, 'clock.get', {})).ok, true);
  assert.ok(c.frames.some(f => f.id === 100 && f.event?.domains), 'a valid period opens the stream: its first sample');
  assert.ok(!c.frames.some(f => f.id === 100 && 'ok' in f));
  c.close();
  assertServing();
});

test('a line longer than 1 MiB closes that connection with E2BIG; other clients are served', STALL, async () => {
  const c = new RawClient();
  const other = new RawClient();
  const chunk = Buffer.alloc(64 << 10, 'a');
  for (let i = 0; i < 20; i++) c.write(chunk);
  await c.closed;
  assert.deepEqual(c.frames.at(-1), { id: null, ok: false, error: { code: 'E2BIG', message: 'a control frame is longer than 1048576 bytes', exitCode: 1 } });
  assert.equal((await other.request(1, 'clock.get', {})).ok, true);
  other.close();
  assertServing();
});

/** mulberry32: a small seeded PRNG, so every run sends the same bytes. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['dom', 'doms', 'domid', 'name', 'config', 'token', 'path', 'ns', 'delayNs', 'pollNs', 'timeoutNs', 'pages', 'mask',
  'cpus', 'count', 'vcpu', 'hard', 'soft', 'weight', 'cap', 'ratelimitUs', 'pool', 'kind', 'id', 'device', 'keys', 'params', 'key',
  'clear', 'paused', 'live', 'linkMbit', 'targetKb', 'maxKb', 'action', 'until', 'strict', 'force', 'configText', 'configFile',
  'workload', 'head', 'disableAtStop', 'cwd', ...PROTO_NAMES];

test('seeded random frames and arguments never kill, stall or bloat the daemon', STALL, async () => {
  const rnd = prng(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const deep = JSON.parse('{"a":'.repeat(1000) + '[]' + '}'.repeat(1000));
  const values: unknown[] = [null, true, false, 0, -1, 1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 64, 'NaN', 'Infinity', '-1', '1e308', '', 'x',
    '0', 'Domain-0', '1', '18446744073709551616', '99999999999999999999', 'vif', 'vbd', 'all', 'poweroff', 'gone', 'shutdown', '1000000', '/', '/nonexistent/x',
    'x'.repeat(5000), [], [1, 2, 3], [-1], ['x'], {}, { c_info: 1 }, { c_info: { name: 1 }, b_info: [] }, deep, ...PROTO_NAMES];
  const types = [...Object.keys(requestArgs), ...Object.keys(streamArgs)].filter(t => t !== 'daemon.stop');
  const randomArgs = (): unknown => {
    if (rnd() < 0.15) return pick(values);
    const args: Record<string, unknown> = {};
    for (let n = Math.floor(rnd() * 4); n > 0; n--) Object.defineProperty(args, pick(KEYS), { value: pick(values), enumerable: true, configurable: true, writable: true });
    return args;
  };
  const junk = (): string => {
    switch (Math.floor(rnd() * 6)) {
      case 0: return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))).toString('latin1');
      case 1: return JSON.stringify({ id: 1, type: pick(types), args: randomArgs() }).slice(0, -1 - Math.floor(rnd() * 10));
      case 2: return JSON.stringify(pick(values)) ?? 'null';
      case 3: return JSON.stringify({ id: pick(values), type: pick(types), args: {} });
      case 4: return JSON.stringify({ id: Math.floor(rnd() * 50), [pick(['input', 'end'])]: pick(values) });
      default: return JSON.stringify({ id: 7, type: pick(values), args: randomArgs() });
    }
  };

  const startRss = rssKb();
  let maxRss = startRss;
  let id = 1000;
  /** One phase on its own connection (the daemon may close it); every frame was read once a last request is answered. */
  const phase = async (run: (c: RawClient) => Promise<void> | void): Promise<void> => {
    const c = new RawClient();
    await run(c);
    await c.request(id++, 'clock.get', {});
    c.close();
    assertAlive();
  };
  for (let batch = 0; batch < 4; batch++) {
    await phase(c => { for (let i = 0; i < 150; i++) c.write(junk().replace(/\n/g, ' ') + '\n'); });
    await phase(c => {
      for (const type of [...types, ...PROTO_NAMES]) {
        for (let i = 0; i < 4; i++) c.send({ id: id++, type, args: randomArgs() });
        c.send({ id: id - 1, input: pick(values) });
      }
    });
    // Past the schema: each type's args grown field by field from what the daemon says is missing
    // or wrong, so handlers see well-shaped messages with edge values (0, -1, huge, prototype names).
    await phase(async c => {
      for (const type of types) {
        const args: Record<string, unknown> = {};
        for (let step = 0; step < 24; step++) {
          // A stream with good arguments stays open without a reply: a clock.get behind it says the
          // daemon has read the request, and the refusal, if any, came before its answer.
          c.send({ id: id++, type, args });
          await c.request(id++, 'clock.get', {});
          const r = c.frames.find(f => f.id === id - 2 && 'ok' in f);
          const m = r && !r.ok && r.error.code === 'EINVAL' && /: args\.(\w+) (is missing|must|has)/.exec(r.error.message);
          if (!m) break;
          args[m[1]!] = pick(values);
        }
      }
    });
    if (batch % 2 === 1) await phase(c => c.write(`{"id":1,"type":"domain.rename","args":{"dom":"0","name":"${'n'.repeat(10 << 20)}"}}\n`));
    assertServing();
    maxRss = Math.max(maxRss, rssKb());
  }
  assert.ok(maxRss < startRss + 256 * 1024, `RSS grew from ${startRss} kB to ${maxRss} kB`);
});
