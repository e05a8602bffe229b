// Driver domains for the tests: a guest `g` whose vif and vbd a driver domain serves, the
// failover script of examples/ run as an admin runs it (our xl and xenlabd, Debian's xenstore
// tools), and what a failover must leave: the devices on the standby, connected, with traffic.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, BIN, type TestHost } from './host.ts';
import { guestShell } from './guest-shell.ts';

export const XVDA = 51712;
const SCRIPT = join(ROOT, 'examples/driver-domain-failover.sh');

export const domid = (h: TestHost, name: string) => Number(h.xlOk('domid', name).trim());
/** A domain's CPU time in seconds, as `xl list` shows it. */
export const cpuTime = (h: TestHost, name: string) => Number(h.xlOk('list', name).split('\n')[1]!.trim().split(/\s+/).pop());
export const xsRead = (h: TestHost, path: string) => h.sys('/usr/bin/xenstore-read', [path]).stdout.trim();
const clock = (h: TestHost) => Number(h.run('xenlabd', ['clock']).stdout.trim().split(' ').pop());

/** The guest `g` with a vif and a vbd served by the driver domain `dd`, busy on both. */
export function servedGuest(h: TestHost, dd: string): void {
  const img = join(h.home, 'g.img');
  writeFileSync(img, Buffer.alloc(16 << 20));
  h.xlOk('create', h.guestConfig('g', `vif = [ 'bridge=xenbr0,backend=${dd}' ]
disk = [ 'format=raw, vdev=xvda, access=rw, backend=${dd}, target=${img}' ]
workload = "net-tx=50M,disk-write=10M"`));
  h.advance('3s');
}

/** Run the failover script from PRIMARY to STANDBY; once it watches, `kill` the primary. Its output, and the simulated seconds it ran. */
export async function runFailover(h: TestHost, primary: string, standby: string, kill: () => void): Promise<{ out: string; seconds: number }> {
  const tools = join(h.home, 'tools');
  mkdirSync(tools, { recursive: true });
  for (const t of ['xl', 'xenlabd']) { try { symlinkSync(join(BIN, t), join(tools, t)); } catch {} }
  const start = clock(h);
  const child = spawn('sh', [SCRIPT, primary, standby, '1'], { env: { ...h.env, PATH: `${tools}:/usr/bin:/bin` } });
  let out = '', err = '';
  child.stderr.on('data', d => { err += d; });
  await new Promise<void>(resolve => child.stdout.on('data', d => { out += d; if (out.includes('failover: watching')) resolve(); }));
  kill();
  const [code] = await once(child, 'close'); // not 'exit': its last lines may still be unread
  assert.equal(code, 0, `${out}\n${err}`);
  return { out, seconds: clock(h) - start };
}

/** The script saw each of g's frontends close, and printed an outage within the time it ran. */
export function assertFailedOver(h: TestHost, { out, seconds }: { out: string; seconds: number }, standby: string): void {
  const g = domid(h, 'g');
  for (const [kind, devid] of [['vif', 0], ['vbd', XVDA]]) {
    assert.match(out, new RegExp(`^failover: ${kind} ${devid} of domain ${g}: frontend state [56]$`, 'm'));
    assert.match(out, new RegExp(`^failover: ${kind} ${devid} of domain ${g} now served by ${standby}$`, 'm'));
  }
  const m = /^failover: outage (\d+\.\d{3}) s \(connected at [\d.]+, lost by [\d.]+, back at [\d.]+\)$/m.exec(out);
  assert.ok(m, out);
  const outage = Number(m[1]);
  assert.ok(outage > 0 && outage <= seconds, `outage ${outage} s, the script ran ${seconds} s:\n${out}`);
}

/** g's interrupts on its vif's tx queue and on its disk, since they were bound. */
async function irqs(h: TestHost): Promise<{ vif: number; disk: number }> {
  const text = await guestShell(h, 'g', 'cat /proc/interrupts');
  const count = (name: string) => Number(new RegExp(`^ *\\d+: +(\\d+) .* ${name}$`, 'm').exec(text)?.[1] ?? NaN);
  return { vif: count('vif\\d+-q0-tx'), disk: count('blkif') };
}

/** g's devices are served by `dd` and connected, and its traffic flows there, on dd's CPU (the interrupts of the new channels count). */
export async function assertServedBy(h: TestHost, dd: string): Promise<void> {
  const g = domid(h, 'g'), d = domid(h, dd);
  const vif = h.xlOk('network-list', 'g').split('\n')[1]!.trim().split(/\s+/);
  assert.equal(Number(vif[1]), d, `the vif is not on ${dd}`);
  assert.equal(xsRead(h, `/local/domain/${g}/device/vif/${vif[0]}/backend-id`), String(d));
  assert.equal(xsRead(h, `/local/domain/${g}/device/vif/${vif[0]}/state`), '4');
  assert.equal(xsRead(h, `/local/domain/${g}/device/vbd/${XVDA}/backend`), `/local/domain/${d}/backend/vbd/${g}/${XVDA}`);
  assert.equal(xsRead(h, `/local/domain/${g}/device/vbd/${XVDA}/state`), '4');
  const cpu = cpuTime(h, dd);
  h.advance('3s');
  const n = await irqs(h);
  assert.ok(cpuTime(h, dd) - cpu > 0.3, `${dd} did no work for the guest`);
  assert.ok(n.vif >= 5 && n.disk >= 15, `no traffic: ${JSON.stringify(n)}`);
}
