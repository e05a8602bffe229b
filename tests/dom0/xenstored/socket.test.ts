import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { openXenstore } from '../../../src/cli/xenstore/connect.ts';
import { domainClient, errOf } from './util.ts';

test('socket: mode 0600, clients are privileged dom0, close removes it', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'xssock-')), 'run', 'xenstored', 'socket');
  const xs = new Xenstored();
  await xs.listen(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const { client, close } = await openXenstore(path);
  await client.write('name', 'Domain-0');
  assert.equal(await client.read('/local/domain/0/name'), 'Domain-0');
  assert.equal(await client.isDomainIntroduced(0), true);
  assert.equal(await client.control('check'), 'OK');
  // A guest's write lands in the same store the socket client sees.
  xs.introduceDomain(9, 1);
  await client.mkdir('/local/domain/9');
  await client.setPerms('/local/domain/9', ['n9']);
  await domainClient(xs, 9).client.write('data', 'from guest');
  assert.equal(await client.read('/local/domain/9/data'), 'from guest');
  assert.equal(await errOf(domainClient(xs, 9).client.read('/local/domain/0/name')), 'EACCES');
  close();
  await xs.close();
  assert.equal(existsSync(path), false);
});
