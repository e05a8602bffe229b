// xenstored with a journal: what was answered is in the file, and a new xenstored on the same
// file (as after kill -9: the first one is never closed) has the same tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import type { XsClient } from '../../../src/formats/xenstore-client.ts';
import { domainClient, errOf } from './util.ts';

function journalFile(): string { return join(mkdtempSync(join(tmpdir(), 'xsj-')), 'xenstored.journal'); }

/** Every node with its value and permissions, in directory order. */
async function dump(c: XsClient, path = '/'): Promise<string[]> {
  const out = [`${path}=${await c.read(path)} (${(await c.getPerms(path)).join(',')})`];
  for (const child of await c.directory(path)) out.push(...await dump(c, path === '/' ? `/${child}` : `${path}/${child}`));
  return out;
}

test('writes, mkdir, set-perms, rm, a committed transaction and a domain\'s own nodes come back; an aborted transaction does not', async () => {
  const file = journalFile();
  const xs = new Xenstored({ journal: file });
  const dom0 = domainClient(xs, 0).client;
  xs.introduceDomain(3, 1);
  await dom0.mkdir('/local/domain/3/data');
  await dom0.setPerms('/local/domain/3/data', ['n3']);
  const guest = domainClient(xs, 3).client;
  await guest.write('data/mine', 'guest');
  for (let i = 0; i < 5; i++) await dom0.write(`/d/n${i}`, `v${i}`);
  await dom0.rm('/d/n1');
  await dom0.write('/d/n1', 'again'); // now last among the children
  await dom0.setPerms('/d/n2', ['n0', 'r3']);
  await dom0.transaction(async tx => { await dom0.write('/t/committed', 'yes', tx); await dom0.rm('/d/n4', tx); });
  const tx = await dom0.transactionStart();
  await dom0.write('/t/aborted', 'no', tx);
  await dom0.transactionEnd(tx, false);
  const before = await dump(dom0);
  const quota = await dom0.control('quota', '3');

  const again = new Xenstored({ journal: file });
  const c = domainClient(again, 0).client;
  assert.deepEqual(await dump(c), before);
  assert.equal(await errOf(c.read('/t/aborted')), 'ENOENT');
  assert.deepEqual(await c.directory('/d'), ['n0', 'n2', 'n3', 'n1']);
  again.introduceDomain(3, 1);
  assert.equal(await c.control('quota', '3'), quota, 'node ownership counts come back');
});

test('a record cut short at the end is ignored and logged; the next start has what came before', async () => {
  const file = journalFile();
  const xs = new Xenstored({ journal: file });
  const c = domainClient(xs, 0).client;
  await c.write('/first', '1');
  const size = statSync(file).size;
  await c.write('/second', '2');
  truncateSync(file, size + 5);
  const lines: string[] = [];
  const again = new Xenstored({ journal: file, log: l => lines.push(l) });
  const c2 = domainClient(again, 0).client;
  assert.equal(await c2.read('/first'), '1');
  assert.equal(await errOf(c2.read('/second')), 'ENOENT');
  assert.deepEqual(lines, [`journal ${file}: ignored 5 bytes after offset ${size} (a record cut short)`]);
  // The torn bytes are gone: what is written now comes back too.
  await c2.write('/third', '3');
  assert.equal(await domainClient(new Xenstored({ journal: file }), 0).client.read('/third'), '3');
});

test('a growing journal is compacted into a snapshot of the tree', async () => {
  const file = journalFile();
  const xs = new Xenstored({ journal: file });
  const c = domainClient(xs, 0).client;
  const big = 'x'.repeat(4000);
  let largest = 0, compactedTo = Infinity;
  for (let i = 0; i < 3000; i++) {
    await c.write(`/big/v${i % 8}`, `${i}${big}`);
    const size = statSync(file).size;
    if (size < largest) compactedTo = Math.min(compactedTo, size);
    largest = Math.max(largest, size);
  }
  assert.ok(largest > 4 << 20 && compactedTo < 64 << 10, `compacted (largest ${largest}, compacted to ${compactedTo})`);
  const c2 = domainClient(new Xenstored({ journal: file }), 0).client;
  assert.equal(await c2.read('/big/v7'), `2999${big}`);
  assert.deepEqual(await dump(c2), await dump(c));
});

test('a new child of a big directory costs the journal the same few bytes however many siblings it has', async () => {
  const file = journalFile();
  const xs = new Xenstored({ journal: file });
  const c = domainClient(xs, 0).client;
  const growth = async (i: number): Promise<number> => { const s = statSync(file).size; await c.mkdir(`/local/domain/${i}`); return statSync(file).size - s; };
  for (let i = 0; i < 10; i++) await c.mkdir(`/local/domain/${1000 + i}`);
  const early = await growth(1010);
  for (let i = 11; i < 2000; i++) await c.mkdir(`/local/domain/${1000 + i}`);
  assert.equal(await growth(5000), early, 'the 2001st child writes what the 11th did');
  await c.rm('/local/domain/1500');
  const c2 = domainClient(new Xenstored({ journal: file }), 0).client;
  assert.deepEqual(await c2.directory('/local/domain'), await c.directory('/local/domain'));
});
