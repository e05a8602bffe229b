// The standard tree a guest with one vif and one vbd gets, read by the real Debian
// xenstore-ls, and its removal on destroy (issue 3, acceptance 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, closeSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';
import { stdoutLines } from '../helpers/wait.ts';

const REAL = '/usr/bin/xenstore-ls';
const skip = haveBinary(REAL) ? false : 'Debian xenstore-utils not installed (apt-get install xenstore-utils)';
let h: TestHost;
let domid: number;

before(async () => {
  if (skip) return;
  h = new TestHost().start();
  const img = join(h.home, 'disk.img');
  const fd = openSync(img, 'w'); ftruncateSync(fd, 1 << 30); closeSync(fd);
  writeFileSync(join(h.home, 'g.cfg'), `name = "guest1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n` +
    `vif = [ 'mac=00:16:3e:5a:2b:01,bridge=xenbr0' ]\ndisk = [ 'phy:${img},xvda,w' ]\n`);
  await xlInOk(h, 'create', join(h.home, 'g.cfg'));
  await advanceIn(h, '3s'); // the guest boots and its frontends connect
  domid = Number((await xlInOk(h, 'domid', 'guest1')).trim());
});
after(async () => { if (!skip) h.stop(); });

function tree(): Map<string, { value: string; perms: string }> {
  const r = h.sys(REAL, ['-fp']);
  assert.equal(r.status, 0, r.stderr);
  const m = new Map<string, { value: string; perms: string }>();
  for (const line of r.stdout.split('\n')) {
    const x = /^(\S+) = "(.*)"\s+\((.*)\)$/.exec(line);
    if (x) m.set(x[1]!, { value: x[2]!, perms: x[3]! });
  }
  return m;
}

test('xenstore-ls -fp shows the reference tree with libxl permissions', { skip }, async () => {
  const t = tree();
  const dom = `/local/domain/${domid}`;
  const get = (p: string) => { const v = t.get(p); assert.ok(v, `missing ${p}`); return v!; };
  assert.deepEqual(get(dom), { value: '', perms: `n0,r${domid}` });
  assert.equal(get(`${dom}/name`).value, 'guest1');
  assert.equal(get(`${dom}/domid`).value, String(domid));
  assert.match(get(`${dom}/vm`).value, /^\/vm\/[0-9a-f-]{36}$/);
  assert.equal(get(`${dom}/cpu/0/availability`).value, 'online');
  assert.equal(get(`${dom}/cpu/1/availability`).value, 'online');
  assert.equal(get(`${dom}/memory/static-max`).value, '524288');
  assert.equal(get(`${dom}/memory/target`).value, '524288');
  assert.equal(get(`${dom}/memory/videoram`).value, '0');
  assert.deepEqual(get(`${dom}/control/shutdown`), { value: '', perms: `n${domid}` });
  assert.equal(get(`${dom}/control/feature-poweroff`).value, '1', 'the guest announced its features');
  assert.equal(get(`${dom}/control/platform-feature-xs_reset_watches`).perms, `n0,r${domid}`);
  for (const d of ['data', 'drivers', 'feature', 'attr', 'error']) assert.equal(get(`${dom}/${d}`).perms, `n${domid}`);
  assert.equal(get(`${dom}/console/backend-id`).perms, `n${domid},r0`);
  assert.equal(get(`${dom}/console/limit`).value, '1048576');
  assert.equal(get(`/local/domain/0/name`).value, 'Domain-0');
  assert.equal(get(`/local/pool/0/name`).value, 'Pool-0');
  const vm = get(`${dom}/vm`).value;
  assert.equal(get(`${vm}/name`).value, 'guest1');
  assert.match(get(`${vm}/start_time`).value, /^\d+\.\d\d$/);
  assert.equal(get(`/libxl/${domid}/type`).value, 'pv');
  // vif: frontend and backend connected, hotplug done.
  const vbe = `/local/domain/0/backend/vif/${domid}/0`, vfe = `${dom}/device/vif/0`;
  assert.deepEqual(get(vfe), { value: '', perms: `n${domid},r0` });
  assert.equal(get(`${vbe}`).perms, `n0,r${domid}`);
  assert.equal(get(`${vbe}/state`).value, '4');
  assert.equal(get(`${vfe}/state`).value, '4');
  assert.equal(get(`${vbe}/hotplug-status`).value, 'connected');
  assert.equal(get(`${vbe}/mac`).value, '00:16:3e:5a:2b:01');
  assert.equal(get(`${vbe}/frontend`).value, vfe);
  assert.equal(get(`${vfe}/backend`).value, vbe);
  assert.equal(get(`${vfe}/mtu`).perms, `n0,r${domid}`);
  assert.equal(get(`${vfe}/request-rx-copy`).value, '1');
  // vbd xvda = 51712
  const bbe = `/local/domain/0/backend/vbd/${domid}/51712`, bfe = `${dom}/device/vbd/51712`;
  assert.equal(get(`${bbe}/state`).value, '4');
  assert.equal(get(`${bfe}/state`).value, '4');
  assert.equal(get(`${bbe}/hotplug-status`).value, 'connected');
  assert.equal(get(`${bbe}/sectors`).value, String((1 << 30) / 512));
  assert.equal(get(`${bbe}/dev`).value, 'xvda');
  assert.equal(get(`${bfe}/virtual-device`).value, '51712');
  assert.equal(get(`${bfe}/protocol`).value, 'x86_64-abi');
  assert.equal(get(`/libxl/${domid}/device/vbd/51712/state`).value, '1', 'libxl keeps its copy at state 1');
});

test('xl block-list and network-list show the connected devices', { skip }, async () => {
  const nl = await xlIn(h, 'network-list', 'guest1');
  assert.equal(nl.status, 0, nl.stderr);
  assert.match(nl.stdout, /^0\s+0\s+00:16:3e:5a:2b:01\s+0\s+4\s/m);
  const bl = await xlIn(h, 'block-list', 'guest1');
  assert.equal(bl.status, 0, bl.stderr);
  assert.match(bl.stdout, /^51712\s+0\s+\d+\s+4\s/m);
});

test('destroy removes every path of the domain and fires @releaseDomain', { skip }, async () => {
  const watch = spawn('/usr/bin/xenstore-watch', ['@releaseDomain'], { env: h.env });
  const events = stdoutLines(watch);
  // The initial event says the watch is registered (however slowly a loaded machine started it).
  await events.atLeast(1);
  await xlInOk(h, 'destroy', 'guest1');
  await events.atLeast(2);
  watch.kill();
  const left = [...tree().keys()].filter(p =>
    p.startsWith(`/local/domain/${domid}`) || p.includes(`/backend/vif/${domid}`) || p.includes(`/backend/vbd/${domid}`) ||
    p.includes(`/backend/console/${domid}`) || p.startsWith(`/libxl/${domid}`) || p.startsWith('/vm/'));
  assert.deepEqual(left, []);
});

test('a guest shutting down fires @releaseDomain before it is destroyed (on_poweroff=preserve)', { skip }, async () => {
  writeFileSync(join(h.home, 'p.cfg'), 'name = "keeper"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\non_poweroff = "preserve"\n');
  await xlInOk(h, 'create', join(h.home, 'p.cfg'));
  await advanceIn(h, '3s');
  const watch = spawn('/usr/bin/xenstore-watch', ['@releaseDomain'], { env: h.env });
  const events = stdoutLines(watch);
  await events.atLeast(1); // the initial event: the watch is registered
  await xlInOk(h, 'shutdown', 'keeper');
  await advanceIn(h, '2s');
  await events.atLeast(2);
  watch.kill();
  assert.deepEqual(events.lines(), ['@releaseDomain', '@releaseDomain'], 'the initial event and one for the shutdown');
  assert.match(await xlInOk(h, 'list', 'keeper'), /---s--/);
  await xlInOk(h, 'destroy', 'keeper');
});
