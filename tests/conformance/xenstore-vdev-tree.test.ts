// Issue 16 acceptance 5 (vtpm, vkb, vdispl, vsnd) and 6: a fresh guest with one device of each
// class from xl.cfg, and two channels, read with the real Debian xenstore-ls -fp, against the
// tree libxl 4.17 writes; then the -list formats, hot-plug and unplug with the real errors.
//
// Where the expected values come from:
// - libxl__device_generic_add (libxl_device.c): the backend directory under
//   /local/domain/0/backend/<backend kind>/<domid>/<devid> with frontend, frontend-id, online=1,
//   state, permissions n0,r<domid>; the frontend directory /local/domain/<domid>/device/<kind>/<devid>
//   with backend, backend-id, state, permissions n<domid>,r0; read-only frontend keys n0,r<domid>;
//   and /libxl/<domid>/device/<kind>/<devid> (n0) holding the backend keys and the backend path.
// - set_xenstore_config of each class: libxl_vtpm.c (back: handle, uuid, resume=False; front:
//   handle), libxl_vkb.c (back: unique-id, width, height; a linux backend_type puts the backend
//   under vinput, the frontend stays vkbd), libxl_vdispl.c (read-only front: be-alloc and per
//   connector N/resolution "WxH" and N/unique-id), libxl_vsnd.c (front: long-name, short-name,
//   sample-rates and sample-formats joined by ',' in sndif.h's names, per pcm N/name and per
//   stream N/M/unique-id, N/M/type and its parameters).
// - the frontends as Linux writes them on the backend's InitWait: tpmfront ring-ref,
//   event-channel, feature-protocol-v2; kbdfront page-ref, page-gref, event-channel; drmfront per
//   connector req-/evt- ring-ref and event-channel; sndfront per stream ring-ref, event-channel,
//   evt-ring-ref, evt-event-channel. Both ends then reach Connected (4).
// - channels (libxl__init_console_from_channel, libxl__device_console_add): channel N is
//   console N+1 (device/console/<N+1>, backend/console/<domid>/<N+1>), backend keys protocol,
//   name, connection, path; read-only frontend keys name, limit, type=ioemu, output (pty, or
//   chardev:libxl-channel<N> for a socket), tty (the pty QEMU opened); hvc_xen adds ring-ref, port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';

const REAL = '/usr/bin/xenstore-ls';
const skip = haveBinary(REAL) ? false : 'Debian xenstore-utils not installed (apt-get install xenstore-utils)';
const UUID = 'a1b2c3d4-0000-1111-2222-333344445555';
let h: TestHost;
let domid: number;

before(async () => {
  if (skip) return;
  h = new TestHost().start();
  await xlInOk(h, 'create', h.guestConfig('devs', [
    `vtpm = [ "backend=0,uuid=${UUID}" ]`,
    'vkb = [ "backend-type=linux,unique-id=kb0,width=800,height=600" ]',
    'vdispl = [ "be-alloc=1,connectors=c0:1024x768;c1:800x600" ]',
    'channel = [ "name=org.qemu.guest_agent.0,connection=pty", "name=logs,connection=socket,path=/run/logs.sock" ]',
    'vsnd = [ [ "card, short-name=SC, long-name=Sound card, sample-rates=44100;48000, sample-formats=s16_le;f32_le", "pcm, name=dev0", "stream, unique-id=p0, type=p", "stream, unique-id=c0, type=c, channels-max=2" ] ]',
  ].join('\n')));
  await advanceIn(h, '3s'); // the guest boots and its frontends connect
  domid = Number((await xlInOk(h, 'domid', 'devs')).trim());
});
after(async () => { if (!skip) h.stop(); });

type Tree = Map<string, { value: string; perms: string }>;
function tree(): Tree {
  const r = h.sys(REAL, ['-fp']);
  assert.equal(r.status, 0, r.stderr);
  const m: Tree = new Map();
  for (const line of r.stdout.split('\n')) {
    const x = /^(\S+) = "(.*)"\s+\((.*)\)$/.exec(line);
    if (x) m.set(x[1]!, { value: x[2]!, perms: x[3]! });
  }
  return m;
}

/** The keys under `dir` (relative, sorted) with their values and permissions. */
function under(t: Tree, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, v] of t) if (p.startsWith(`${dir}/`)) out[p.slice(dir.length + 1)] = `${v.value} (${v.perms})`;
  return out;
}

/** The keys a frontend wrote itself (rings and channels vary): their names only. */
const names = (o: Record<string, string>, re: RegExp) => Object.keys(o).filter(k => re.test(k)).sort();

test('a guest with vtpm, vkb, vdispl and vsnd devices: the tree libxl and the Linux frontends write', { skip }, async () => {
  const t = tree();
  const be = (kind: string) => `/local/domain/0/backend/${kind}/${domid}/0`;
  const fe = (kind: string) => `/local/domain/${domid}/device/${kind}/0`;
  const ro = `(n0,r${domid})`, rw = `(n${domid},r0)`;
  const common = (kind: string, bkind: string) => {
    assert.equal(t.get(be(bkind))?.perms, `n0,r${domid}`);
    assert.equal(t.get(fe(kind))?.perms, `n${domid},r0`);
    const b = under(t, be(bkind)), f = under(t, fe(kind));
    assert.equal(b.frontend, `${fe(kind)} ${ro}`);
    assert.equal(b['frontend-id'], `${domid} ${ro}`);
    assert.equal(b.online, `1 ${ro}`);
    assert.equal(b.state, `4 ${ro}`, `${bkind} backend Connected`);
    assert.equal(f.backend, `${be(bkind)} ${rw}`);
    assert.equal(f['backend-id'], `0 ${rw}`);
    assert.equal(f.state, `4 ${rw}`, `${kind} frontend Connected`);
    assert.equal(t.get(`/libxl/${domid}/device/${kind}/0/backend`)?.value, be(bkind));
    assert.equal(t.get(`/libxl/${domid}/device/${kind}/0`)?.perms, 'n0');
    return { b, f };
  };

  const vtpm = common('vtpm', 'vtpm');
  assert.equal(vtpm.b.handle, `0 ${ro}`);
  assert.equal(vtpm.b.uuid, `${UUID} ${ro}`);
  assert.equal(vtpm.b.resume, `False ${ro}`);
  assert.equal(vtpm.f.handle, `0 ${rw}`);
  assert.equal(vtpm.f['feature-protocol-v2'], `1 ${rw}`);
  assert.deepEqual(names(vtpm.f, /ring|channel/), ['event-channel', 'ring-ref']);

  const vkb = common('vkbd', 'vinput');
  assert.equal(vkb.b['unique-id'], `kb0 ${ro}`);
  assert.equal(vkb.b.width, `800 ${ro}`);
  assert.equal(vkb.b.height, `600 ${ro}`);
  assert.deepEqual(names(vkb.f, /ref|channel/), ['event-channel', 'page-gref', 'page-ref']);

  const vdispl = common('vdispl', 'vdispl');
  assert.equal(vdispl.f['be-alloc'], `1 ${ro}`);
  assert.equal(vdispl.f['0/resolution'], `1024x768 ${ro}`);
  assert.equal(vdispl.f['0/unique-id'], `c0 ${ro}`);
  assert.equal(vdispl.f['1/resolution'], `800x600 ${ro}`);
  assert.equal(vdispl.f['1/unique-id'], `c1 ${ro}`);
  assert.deepEqual(names(vdispl.f, /ring|channel/),
    ['0/evt-event-channel', '0/evt-ring-ref', '0/req-event-channel', '0/req-ring-ref', '1/evt-event-channel', '1/evt-ring-ref', '1/req-event-channel', '1/req-ring-ref']);

  const vsnd = common('vsnd', 'vsnd');
  assert.equal(vsnd.f['short-name'], `SC ${rw}`);
  assert.equal(vsnd.f['long-name'], `Sound card ${rw}`);
  assert.equal(vsnd.f['sample-rates'], `44100,48000 ${rw}`);
  assert.equal(vsnd.f['sample-formats'], `s16_le,float_le ${rw}`);
  assert.equal(vsnd.f['0/name'], `dev0 ${rw}`);
  assert.equal(vsnd.f['0/0/unique-id'], `p0 ${rw}`);
  assert.equal(vsnd.f['0/0/type'], `p ${rw}`);
  assert.equal(vsnd.f['0/1/type'], `c ${rw}`);
  assert.equal(vsnd.f['0/1/channels-max'], `2 ${rw}`);
  assert.deepEqual(names(vsnd.f, /^0\/0\/.*(ring|channel)/), ['0/0/event-channel', '0/0/evt-event-channel', '0/0/evt-ring-ref', '0/0/ring-ref']);
});

test('vtpm-list, vkb-list, vdispl-list and vsnd-list print the xenstore values in the real formats', { skip }, async () => {
  const t = tree();
  const f = (kind: string, key: string) => t.get(`/local/domain/${domid}/device/${kind}/0/${key}`)!.value;
  const bp = (kind: string) => `/local/domain/0/backend/${kind}/${domid}/0`;
  assert.equal(await xlInOk(h, 'vtpm-list', 'devs'),
    'Idx BE Uuid                                 handle state evt-ch ring-ref BE-path   \n' +
    `0   0  ${UUID}      0     4 ${f('vtpm', 'event-channel').padStart(6)} ${f('vtpm', 'ring-ref').padStart(8)} ${bp('vtpm')}\n`);
  assert.equal(await xlInOk(h, 'vkb-list', 'devs'),
    'Idx BE handle state evt-ch    ref ID         BE-type    BE-path                       \n' +
    `0   0       0     4 ${f('vkbd', 'event-channel').padStart(6)} ${f('vkbd', 'page-ref').padStart(6)} kb0        linux      ${bp('vinput')}\n`);
  const c = (i: number, k: string) => f('vdispl', `${i}/${k}`);
  assert.equal(await xlInOk(h, 'vdispl-list', 'devs'),
    `DevId: 0, BE: 0, handle: ${domid}, state: 4, be-alloc: 1, BE-path: ${bp('vdispl')}, FE-path: /local/domain/${domid}/device/vdispl/0\n` +
    [0, 1].map(i => `\tConnector: ${i}, id: c${i}, width: ${i ? 800 : 1024}, height: ${i ? 600 : 768}, req-rref: ${c(i, 'req-ring-ref')}, req-evtch: ${c(i, 'req-event-channel')}, evt-rref: ${c(i, 'evt-ring-ref')}, evt-evtch: ${c(i, 'evt-event-channel')}\n`).join(''));
  const s = (j: number, k: string) => f('vsnd', `0/${j}/${k}`);
  assert.equal(await xlInOk(h, 'vsnd-list', 'devs'),
    `\ndevid: 0, be-domid: 0, handle: ${domid}, state: 4, be-path: ${bp('vsnd')}, fe-path: /local/domain/${domid}/device/vsnd/0\n` +
    // xl_vsnd.c labels the formats "sample-rates" too
    'short-name: "SC", long-name: "Sound card", sample-rates: 44100;48000, sample-rates: s16_le;f32_le\n' +
    '\tpcm: 0, name: "dev0"\n' +
    `\t\tstream: 0, unique-id: "p0", type: p\n\t\t\tevent-channel: ${s(0, 'event-channel')}, ring-ref: ${s(0, 'ring-ref')}\n` +
    `\t\tstream: 1, unique-id: "c0", type: c, channels-max: 2\n\t\t\tevent-channel: ${s(1, 'event-channel')}, ring-ref: ${s(1, 'ring-ref')}\n`);
});

test('hot-plug and unplug: the next devid, Connected on both ends, removed on detach; the real refusals', { skip }, async () => {
  await xlInOk(h, 'vtpm-attach', 'devs', 'backend=Domain-0');
  await xlInOk(h, 'vdispl-attach', 'devs', 'connectors=x:640x480');
  let t = tree();
  assert.equal(t.get(`/local/domain/0/backend/vtpm/${domid}/1/state`)?.value, '4');
  assert.equal(t.get(`/local/domain/${domid}/device/vtpm/1/state`)?.value, '4');
  assert.match(t.get(`/local/domain/0/backend/vtpm/${domid}/1/uuid`)!.value, /^[0-9a-f-]{36}$/, 'libxl generates a uuid');
  assert.equal(t.get(`/local/domain/${domid}/device/vdispl/1/0/resolution`)?.value, '640x480');
  assert.match(await xlInOk(h, 'list', '-l', 'devs'), /"unique_id": "x",\s+"width": 640/);

  await xlInOk(h, 'vtpm-detach', 'devs', '1');
  await xlInOk(h, 'vdispl-detach', 'devs', '1');
  await xlInOk(h, 'vkb-detach', 'devs', '0');
  t = tree();
  for (const p of [`/local/domain/0/backend/vtpm/${domid}/1`, `/local/domain/${domid}/device/vtpm/1`, `/libxl/${domid}/device/vtpm/1`,
    `/local/domain/${domid}/device/vdispl/1`, `/local/domain/0/backend/vinput/${domid}/0`, `/local/domain/${domid}/device/vkbd/0`]) {
    assert.equal(t.has(p), false, `${p} removed`);
  }
  assert.equal((await xlInOk(h, 'vkb-list', 'devs')).split('\n').length, 2, 'only the header is left');

  assert.deepEqual(await xlIn(h, 'vtpm-detach', 'devs', '7'), { stdout: '', stderr: 'Unknown device 7.\n', status: 1 });
  assert.deepEqual(await xlIn(h, 'vsnd-detach', 'devs', '3'), { stdout: '', stderr: 'Error: Device 3 not connected.\n', status: 253 });
  assert.deepEqual(await xlIn(h, 'vkb-attach', 'devs', 'width=5'), { stdout: '', stderr: 'backend-type should be set\n', status: 253 });
  assert.deepEqual(await xlIn(h, 'vtpm-list', 'nosuch'), { stdout: await xlInOk(h, 'vtpm-list', '0'), stderr: 'nosuch is an invalid domain identifier\n', status: 0 });
});

test('channel-list and the channels\' consoles: QEMU\'s, beside xenconsoled\'s primary one', { skip }, async () => {
  const t = tree();
  const fe = (n: number) => under(t, `/local/domain/${domid}/device/console/${n}`);
  const be = (n: number) => under(t, `/local/domain/0/backend/console/${domid}/${n}`);
  const ro = `(n0,r${domid})`, rw = `(n${domid},r0)`;
  assert.equal(t.get(`/local/domain/${domid}/device/console/1`)?.perms, `n${domid},r0`);
  assert.deepEqual([fe(1).name, fe(1).limit, fe(1).type, fe(1).output, fe(1).state, fe(1).protocol],
    [`org.qemu.guest_agent.0 ${ro}`, `1048576 ${ro}`, `ioemu ${ro}`, `pty ${ro}`, `4 ${rw}`, `vt100 ${rw}`]);
  assert.match(fe(1).tty!, /^\/dev\/pts\/\d+ /);
  assert.deepEqual([be(1).name, be(1).connection, be(1).protocol, be(1).state], [`org.qemu.guest_agent.0 ${ro}`, `pty ${ro}`, `vt100 ${ro}`, `4 ${ro}`]);
  assert.deepEqual([fe(2).output, fe(2).tty, be(2).connection, be(2).path], [`chardev:libxl-channel1 ${ro}`, ` ${ro}`, `socket ${ro}`, `/run/logs.sock ${ro}`]);
  assert.equal(t.get(`/local/domain/0/backend/console/${domid}/0/state`)?.value, '1', 'the primary console is xenconsoled\'s, untouched');
  const v = (n: number, k: string) => t.get(`/local/domain/${domid}/device/console/${n}/${k}`)!.value;
  assert.equal(await xlInOk(h, 'channel-list', 'devs'),
    'Idx BE state evt-ch ring-ref connection                               \n' +
    `0   0  4     ${v(1, 'port').padEnd(6)} ${v(1, 'ring-ref').padEnd(8)} pty        ${v(1, 'tty').padEnd(30)} \n` +
    `1   0  4     ${v(2, 'port').padEnd(6)} ${v(2, 'ring-ref').padEnd(8)} socket     \n`);
});
