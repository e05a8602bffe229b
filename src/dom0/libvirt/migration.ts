// Peer-to-peer live migration between two xenlab hosts, as libvirt's libxl driver does it
// (libxl_migration.c): the source's libvirtd connects to the destination's, which prepares a
// place for the stream and builds the domain paused from it; the source sends the domain with
// libxl's save stream (the same one `xl migrate` sends), the destination finishes (unpauses)
// and the source's domain goes. The stream travels over a Unix socket in the destination's
// run/libvirt directory, at full speed (unpaced by the virtual clock).
import { createServer, connect, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { XdrWriter } from '../../formats/xdr.ts';
import { VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';
import { readDomain, STRING_MAX, TypedParamType, writeTypedParams, type DomainRef, type TypedParam } from '../../formats/libvirt/remote-types.ts';
import { Detail, type DomainObj, type LibxlDriver } from './libxl-driver.ts';
import { PeerConnection } from './peer.ts';
import { readableInput } from './stream-input.ts';

const PROC_PREPARE3_PARAMS = 303, PROC_FINISH3_PARAMS = 306;
/** VIR_MIGRATE_PARAM_DEST_XML: the domain XML the destination builds from. */
const DEST_XML = 'destination_xml';

export function destXml(params: readonly TypedParam[]): string {
  const p = params.find(x => x.field === DEST_XML && x.type === TypedParamType.STRING);
  if (!p) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, 'no domain XML passed');
  return p.value as string;
}

/** The destination: incoming domains by name, each with the listener its stream arrives on. */
export class IncomingMigrations {
  private pending = new Map<string, { server: Server; done: Promise<DomainObj> }>();
  private next = 0;

  constructor(private readonly driver: LibxlDriver, private readonly runDir: string) {}

  /** Prepare3Params: listen for the stream; the domain is built paused as it arrives. Returns where to send it. */
  prepare(xml: string): Promise<string> {
    const def = this.driver.parse(xml);
    if (this.pending.has(def.name) || this.driver.list().some(x => x.live && (x.name === def.name || x.uuid === def.uuid))) {
      throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.DOMAIN, `domain '${def.name}' is already active`);
    }
    const path = join(this.runDir, `migrate-${process.pid}-${this.next++}`);
    rmSync(path, { force: true });
    let resolveDone!: (d: DomainObj) => void, rejectDone!: (e: unknown) => void;
    const done = new Promise<DomainObj>((res, rej) => { resolveDone = res; rejectDone = rej; });
    done.catch(() => {});
    const server = createServer({ pauseOnConnect: true }, sock => {
      server.close();
      rmSync(path, { force: true });
      this.driver.restoreFrom(def, readableInput(() => sock), true, Detail.STARTED_MIGRATED).then(resolveDone, rejectDone);
    });
    this.pending.set(def.name, { server, done });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve(`unix://${path}`));
    });
  }

  /** Finish3Params: the stream is through (or the source gave up); run the domain, or drop it. */
  async finish(xml: string, cancelled: boolean): Promise<DomainObj> {
    const name = this.driver.parse(xml).name;
    const p = this.pending.get(name);
    if (!p) throw new VirError(VIR_ERR.NO_DOMAIN, VIR_FROM.LIBXL, `no domain with matching name '${name}'`);
    this.pending.delete(name);
    p.server.close();
    if (cancelled) {
      const d = await p.done.catch(() => undefined);
      if (d?.live) await this.driver.destroy(d);
      throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, 'migration cancelled');
    }
    const d = await p.done;
    this.driver.resume(d);
    return this.driver.get(d);
  }
}

/** PerformP2P on the source: prepare on the peer, send the stream, finish there, leave here. */
export async function migrateP2P(driver: LibxlDriver, ref: DomainRef, dconnuri: string, live: boolean): Promise<void> {
  const d = driver.running(ref);
  const xml = driver.xml(d).replace(/^<domain type='xen' id='\d+'>/, "<domain type='xen'>");
  const params = new XdrWriter();
  writeTypedParams(params, [{ field: DEST_XML, type: TypedParamType.STRING, value: xml }]);
  const peer = await PeerConnection.open(dconnuri);
  try {
    const prep = await peer.call(PROC_PREPARE3_PARAMS, new XdrWriter().fixedOpaque(params.toBuffer()).opaque(Buffer.alloc(0)).uint(0));
    prep.opaque(16384);
    const uriOut = prep.optional(() => prep.string(STRING_MAX)) ?? '';
    const finish = (cancelled: boolean) => peer.call(PROC_FINISH3_PARAMS, new XdrWriter().fixedOpaque(params.toBuffer()).opaque(Buffer.alloc(0)).uint(0).int(cancelled ? 1 : 0));
    try {
      await sendStream(driver, d.id, uriOut.replace(/^unix:\/\//, ''), live);
    } catch (e) {
      await finish(true).catch(() => {});
      driver.xen.resumeSaved(d.id);
      throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, `Failed to send migration data to destination host: ${e instanceof Error ? e.message : String(e)}`);
    }
    const fin = await finish(false);
    readDomain(fin);
    await driver.migratedAway(d);
  } finally { await peer.close(); }
}

async function sendStream(driver: LibxlDriver, domid: number, path: string, live: boolean): Promise<void> {
  const sock = connect(path);
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let broken: Error | undefined;
  sock.on('error', e => { broken = e; });
  await driver.xen.save(domid, {
    write: b => new Promise((resolve, reject) => {
      if (broken) { reject(broken); return; }
      if (sock.write(b)) resolve(); else sock.once('drain', resolve);
    }),
  }, live);
  await new Promise<void>(resolve => sock.end(resolve));
}
