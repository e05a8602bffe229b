// xl create's modes and xl console against a real daemon: -p, -F (foreground until the domain is
// gone), -c and console (boot log, login prompt, Ctrl-] detaches), list -l's JSON shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

function cfg(name: string, extra = ''): string {
  const p = join(h.home, `${name}.cfg`);
  writeFileSync(p, `name = "${name}"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 2\n${extra}`);
  return p;
}

/** Resolves when the stream has carried text matching `re` (event-driven, no polling). */
function until(stream: NodeJS.ReadableStream, re: RegExp): Promise<string> {
  return new Promise(resolve => {
    let seen = '';
    const on = (d: Buffer) => { seen += d; if (re.test(seen)) { stream.off('data', on); resolve(seen); } };
    stream.on('data', on);
  });
}

/** Collect a child's output until it exits and all of it is read ('close', not 'exit'). */
async function finish(child: ReturnType<TestHost['spawn']>) {
  let stdout = '', stderr = '';
  child.stdout!.on('data', d => { stdout += d; });
  child.stderr!.on('data', d => { stderr += d; });
  const [code] = await once(child, 'close');
  return { code: code as number, stdout, stderr };
}

test('create -p leaves it paused, list -l shows the stored config with live values', () => {
  h.xlOk('create', '-q', '-p', cfg('jsonguest', 'workload = "cpu=20"\n'));
  assert.equal(row(h.xlOk('list'), 'jsonguest').state, '--p---');
  const out = h.xlOk('list', '-l', 'jsonguest');
  assert.ok(out.endsWith(']\n\n'));
  const [entry] = JSON.parse(out);
  assert.deepEqual(Object.keys(entry), ['domid', 'config']);
  assert.equal(entry.config.c_info.name, 'jsonguest');
  assert.equal(entry.config.b_info.max_memkb, 262144);
  assert.deepEqual(entry.config.b_info.sched_params, { sched: 'credit2', weight: 256, cap: 0 });
  // yajl's empty objects: an opening brace, an empty line, the closing brace
  assert.match(out, /"type\.pv": \{\n\n {16}\}/);
  h.xlOk('destroy', 'jsonguest');
});

test('create -F stays in the foreground until the domain is gone', async () => {
  const child = h.spawn('xl', ['create', '-F', cfg('fg')]);
  const done = finish(child);
  // once it says it is waiting, destroy the domain from another xl
  await until(child.stderr!, /Waiting for domain fg/);
  const id = row(h.xlOk('list'), 'fg').id;
  h.xlOk('destroy', 'fg');
  const r = await done;
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `Parsing config from ${join(h.home, 'fg.cfg')}\nWaiting for domain fg (domid ${id}) to die [pid ${child.pid}]\nDomain ${id} has been destroyed.\n`);
});

test('console shows the boot log and a login prompt; Ctrl-] detaches with status 0', async () => {
  h.xlOk('create', '-q', cfg('con'));
  h.advance('10s');
  const child = h.spawn('xl', ['console', 'con']);
  const done = finish(child);
  const seen = await until(child.stdout!, /login: /);
  assert.match(seen, /con login: /);
  child.stdin!.write(Buffer.from([0x1d]));
  const r = await done;
  assert.equal(r.code, 0);
  const d0 = h.xl('console', '0');
  assert.deepEqual([d0.status, d0.stderr], [22, "Can't specify Domain-0\n"]);
  h.xlOk('destroy', 'con');
});

test('create -c attaches the console to the new domain', async () => {
  const child = h.spawn('xl', ['create', '-q', '-c', cfg('cc')]);
  const done = finish(child);
  // the domain exists once `xl domid` finds it (each check is a whole xl run, no timer)
  let found = false;
  for (let i = 0; i < 400 && !found; i++) found = h.xl('domid', 'cc').status === 0;
  assert.ok(found);
  h.advance('10s');
  await until(child.stdout!, /cc login: /);
  child.stdin!.write(Buffer.from([0x1d]));
  assert.equal((await done).code, 0);
  h.xlOk('destroy', 'cc');
});

test('uptime, dmesg -c, info and vcpu-list follow the host', () => {
  h.xlOk('create', '-q', cfg('up'));
  h.advance('65s');
  const up = h.xlOk('uptime', 'up');
  assert.match(up, /^Name {32}ID Uptime\nup {32}\s*\d+  0:01:05\n$/);
  assert.match(h.xlOk('dmesg'), /\(XEN\) /);
  h.xlOk('dmesg', '-c');
  assert.equal(h.xlOk('dmesg'), '');
  assert.equal(h.xlOk('info', 'nr_cpus'), '8\n');
  const v = h.xlOk('vcpu-list', 'up');
  assert.equal(v.split('\n').length, 4);
  h.xlOk('vcpu-pin', 'up', '1', '2-3');
  assert.match(h.xlOk('vcpu-list', 'up'), /\n(up\s+\d+\s+1\s+.*) 2-3 \/ all\n$/);
  h.xlOk('destroy', 'up');
});
