// The real libvirt-python (Debian python3-libvirt 9.0) as an orchestrator drives xenlabd: open
// the connection, register a lifecycle callback on libvirt's event loop, define and start a
// domain from XML, read its stats, shut it down and see every event on the way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

const PYTHON = '/usr/bin/python3';
const haveLibvirtPython = () => {
  const r = spawn(PYTHON, ['-c', 'import libvirt']);
  return new Promise<boolean>(res => { r.on('close', c => res(c === 0)); r.on('error', () => res(false)); });
};

const SCRIPT = String.raw`
import sys, threading, libvirt
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(sys.argv[1])
events = []
stopped = threading.Event()
undefined = threading.Event()
def on_lifecycle(conn, dom, event, detail, opaque):
    events.append((dom.name(), event, detail))
    print("event", dom.name(), event, detail, flush=True)
    if event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
        stopped.set()
    if event == libvirt.VIR_DOMAIN_EVENT_UNDEFINED:
        undefined.set()
cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
print("type", conn.getType(), conn.getVersion(), conn.getLibVersion(), flush=True)

xml = """<domain type='xen'>
  <name>orch1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type>linux</type><kernel>/boot/vmlinuz</kernel></os>
  <devices><interface type='bridge'><source bridge='xenbr0'/></interface></devices>
</domain>"""
dom = conn.defineXML(xml)
print("defined", dom.name(), dom.isPersistent(), dom.isActive(), flush=True)
dom.create()
state, maxmem, mem, vcpus, cputime = dom.info()
print("info", state, maxmem, mem, vcpus, flush=True)
print("vcpus", len(dom.vcpus()[0]), flush=True)
try:
    conn.lookupByName("nosuch")
except libvirt.libvirtError as e:
    print("error", e.get_error_code(), e.get_error_domain(), e.get_error_message(), flush=True)
dom.shutdown()
print("shutdown-requested", flush=True)
if not stopped.wait(60):
    print("no stop event", flush=True)
    sys.exit(1)
print("state", dom.state()[0], flush=True)
dom.undefine()
undefined.wait(60)
conn.domainEventDeregisterAny(cb)
conn.close()
print("done", flush=True)
`;

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h?.stop());

test('libvirt-python defines, starts, reads and shuts down a domain and sees its lifecycle events', async t => {
  if (!(await haveLibvirtPython())) { t.skip('python3-libvirt not installed (apt-get install python3-libvirt)'); return; }
  const uri = `xen+unix:///system?socket=${join(h.home, 'run/libvirt/libvirt-sock')}`;
  const py = spawn(PYTHON, ['-c', SCRIPT, uri], { env: h.env });
  let err = '';
  py.stderr.on('data', d => { err += d; });
  const lines: string[] = [];
  for await (const line of createInterface({ input: py.stdout })) {
    lines.push(line);
    // The guest acknowledges at once; its shutdown takes simulated time, which the host's clock gives.
    if (line === 'shutdown-requested') h.advance('30s');
  }
  // Events arrive on libvirt's event-loop thread: their order among themselves is fixed, their
  // interleaving with the main thread's lines is not.
  assert.deepEqual(lines.filter(l => !l.startsWith('event ')), [
    'type Xen 4017000 9000000',
    'defined orch1 1 0',
    'info 1 262144 262144 2',
    'vcpus 2',
    "error 42 41 Domain not found: no domain with matching name 'nosuch'",
    'shutdown-requested',
    'state 5',
    'done',
  ], err);
  // Defined Added, Started Booted, Shutdown Finished, Stopped Shutdown, Undefined Removed.
  assert.deepEqual(lines.filter(l => l.startsWith('event ')), ['event orch1 0 0', 'event orch1 2 0', 'event orch1 6 0', 'event orch1 5 0', 'event orch1 1 0']);
});
