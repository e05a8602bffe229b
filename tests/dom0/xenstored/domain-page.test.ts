// A domain talks to xenstored through its xenstore page and its store event channel: the
// guest's xenbus writes requests into the req ring and notifies, xenstored reads them through
// its grant mapping and answers in the rsp ring. The page is read here with xs_wire.h's offsets
// written out in this file. Real parts throughout: the hypervisor's grant table and event
// channels, xenstored, the guest's xenbus transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, DEFAULT_MACHINE } from '../../../src/machine/host.ts';
import { Clock } from '../../../src/machine/clock.ts';
import { Hypervisor } from '../../../src/hypervisor/hypervisor.ts';
import { GNTTAB_RESERVED_XENSTORE, GTF_permit_access } from '../../../src/hypervisor/grant-table.ts';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { XenDevices } from '../../../src/dom0/xen-devices.ts';
import { xenbusComms } from '../../../src/guest/xenbus-comms.ts';
import { XsClient } from '../../../src/formats/xenstore-client.ts';
import { domainClient, errOf } from './util.ts';
import { ECS_INTERDOMAIN, ECS_UNBOUND } from '../../../src/hypervisor/event-channel.ts';

// xenstore_domain_interface: req[1024], rsp[1024], req_cons, req_prod, rsp_cons, rsp_prod, server_features, connection, error.
const indexes = (page: Buffer) => ({
  reqCons: page.readUInt32LE(2048), reqProd: page.readUInt32LE(2052), rspCons: page.readUInt32LE(2056), rspProd: page.readUInt32LE(2060),
});
const STORE_PFN = 0xfeffc + 1;

/** Dom0 and domain 1, whose builder granted its xenstore page to Dom0 and left a store port unbound for it. */
function host(): { hv: Hypervisor; port: number } {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0));
  const spec = (uuid: string) => ({ type: 'pv' as const, uuid, maxVcpus: 1, onlineVcpus: 1, maxMemkb: 65536, memkb: 65536, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }] });
  hv.createDomain(spec('00000000-0000-0000-0000-000000000000'), 0);
  hv.createDomain(spec('11111111-1111-1111-1111-111111111111'), 1);
  hv.get(1).grantTable.setEntry(GNTTAB_RESERVED_XENSTORE, { flags: GTF_permit_access, domid: 0, frame: STORE_PFN });
  return { hv, port: hv.evtchn.allocUnbound(1, 0) };
}

/** The guest's xenbus on its own page and port. */
function guest(hv: Hypervisor, port: number): { xs: XsClient; page: Buffer } {
  const page = hv.get(1).sharedFrame(STORE_PFN)!;
  const comms = xenbusComms(hv, 1, page, port);
  const xs = new XsClient(b => comms.write(b));
  comms.onData(b => xs.feed(b));
  return { xs, page };
}

/** As libxl does: introduce the domain with its store frame and port, and give it its home. */
async function introduce(xenstored: Xenstored, port: number): Promise<void> {
  const dom0 = domainClient(xenstored, 0).client;
  await dom0.introduce(1, STORE_PFN, port);
  await dom0.mkdir('/local/domain/1');
  await dom0.setPerms('/local/domain/1', ['n1']);
}

test('XS_INTRODUCE maps the page and binds the port; requests and replies travel through the page', async () => {
  const { hv, port } = host();
  const xenstored = new Xenstored({ xen: new XenDevices(hv) });
  await introduce(xenstored, port);
  assert.equal(hv.get(1).grantTable.activeEntry(GNTTAB_RESERVED_XENSTORE)?.domid, 0, 'xenstored maps the reserved grant');
  const be = hv.get(1).evtchn.ports[port]!.remotePort;
  assert.equal(hv.get(0).evtchn.ports[be]!.remoteDomid, 1, 'and binds the store port');

  const { xs, page } = guest(hv, port);
  await xs.write('/local/domain/1/data', 'hello');
  assert.equal(await xs.read('/local/domain/1/data'), 'hello');
  // WRITE: header 16 + "/local/domain/1/data\0hello"; READ: header 16 + "/local/domain/1/data\0".
  const sent = 16 + 21 + 5 + 16 + 21;
  // Replies: "OK\0" to the write, "hello" to the read.
  const received = 16 + 3 + 16 + 5;
  assert.deepEqual(indexes(page), { reqCons: sent, reqProd: sent, rspCons: received, rspProd: received });
  assert.equal(page.toString('latin1', 16, 16 + 20), '/local/domain/1/data', 'the first request is in the req ring');
  await xenstored.close();
});

test('a request sent while xenstored is not reading waits in the page and is answered later', async () => {
  const { hv, port } = host();
  const xenstored = new Xenstored({ xen: new XenDevices(hv) });
  await introduce(xenstored, port);
  const { xs, page } = guest(hv, port);
  await xs.write('/local/domain/1/data', 'x');
  const before = indexes(page);
  // xenstored's end of the channel masked: its notifications stay pending.
  const be = hv.get(1).evtchn.ports[port]!.remotePort;
  hv.get(0).evtchn.ports[be]!.masked = true;
  let answer: string | undefined;
  const reading = xs.read('/local/domain/1/data').then(v => { answer = v; });
  await new Promise(r => setImmediate(r));
  assert.equal(answer, undefined);
  const waiting = indexes(page);
  assert.equal(waiting.reqProd - before.reqProd, 16 + 21, 'the request is in the ring');
  assert.equal(waiting.reqCons, before.reqCons, 'and not taken');
  assert.equal(hv.get(0).evtchn.ports[be]!.pending, true);
  hv.evtchn.unmask(0, be);
  await reading;
  assert.equal(answer, 'x');
  assert.deepEqual(indexes(page).reqCons, waiting.reqProd);
  await xenstored.close();
});

test('a request larger than the free space waits in order, half in the ring, and a restarted xenstored answers it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xs-page-'));
  try {
    const { hv, port } = host();
    const journal = join(dir, 'journal');
    const first = new Xenstored({ journal, xen: new XenDevices(hv) });
    await introduce(first, port);
    const { xs, page } = guest(hv, port);
    await xs.write('/local/domain/1/a', '1');
    await first.close();
    assert.equal(hv.get(0).evtchn.ports.filter(c => c?.remoteDomid === 1 && c.state === ECS_INTERDOMAIN).length, 0, 'the old xenstored let the port go');

    // 16 + 18 + 2000 bytes: more than the ring holds; the guest writes what fits and waits.
    const big = 'y'.repeat(2000);
    const writing = xs.write('/local/domain/1/b', big);
    const small = xs.read('/local/domain/1/a');
    await new Promise(r => setImmediate(r));
    const half = indexes(page);
    assert.equal(half.reqProd - half.reqCons, 1024, 'the ring is full with the first part of the request');

    const second = new Xenstored({ journal, xen: new XenDevices(hv) });
    second.restoreDomain(1, port);
    await writing;
    assert.equal(await small, '1', 'the request queued behind it is answered too');
    assert.equal(await xs.read('/local/domain/1/b'), big);
    const after = indexes(page);
    assert.equal(after.reqCons, after.reqProd);
    assert.equal(after.reqProd - half.reqCons, 16 + 18 + 2000 + 16 + 18 + 16 + 18, 'nothing was lost or repeated');
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('XS_INTRODUCE of a page that cannot be mapped fails and introduces nothing; a repeated one binds the new port and resets the rings', async () => {
  const { hv, port } = host();
  const xenstored = new Xenstored({ xen: new XenDevices(hv) });
  const dom0 = domainClient(xenstored, 0).client;
  hv.get(1).grantTable.endAccess(GNTTAB_RESERVED_XENSTORE);
  assert.equal(await errOf(dom0.introduce(1, STORE_PFN, port)), 'EINVAL');
  assert.equal(await dom0.isDomainIntroduced(1), false);
  assert.equal(hv.get(1).evtchn.ports[port]!.state, ECS_UNBOUND, 'the port was left alone');

  hv.get(1).grantTable.setEntry(GNTTAB_RESERVED_XENSTORE, { flags: GTF_permit_access, domid: 0, frame: STORE_PFN });
  await introduce(xenstored, port);
  const { xs, page } = guest(hv, port);
  await xs.write('/local/domain/1/data', 'x');
  assert.notEqual(indexes(page).reqProd, 0);
  // The guest's kernel would bind a new port for a new xenstored connection (Linux's xenbus on reconnection).
  const again = hv.evtchn.allocUnbound(1, 0);
  await dom0.introduce(1, STORE_PFN, again);
  assert.deepEqual(indexes(page), { reqCons: 0, reqProd: 0, rspCons: 0, rspProd: 0 }, 'domain_conn_reset');
  assert.equal(hv.get(1).evtchn.ports[again]!.state, ECS_INTERDOMAIN, 'xenstored bound the new port');
  assert.equal(hv.get(1).evtchn.ports[port]!.state, ECS_UNBOUND, 'and let the old one go');
  await xenstored.close();
});
