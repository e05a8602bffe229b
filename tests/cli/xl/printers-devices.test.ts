// network-list and block-list rows against xl_nic.c / xl_block.c's formats (xl.md §2.8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_LIST_HEADER, formatBlockRow, formatNetworkRow, NETWORK_LIST_HEADER } from '../../../src/cli/xl/printers/devices.ts';
import { runXl } from './harness.ts';

test('network-list: header and row', () => {
  assert.equal(NETWORK_LIST_HEADER, 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n');
  assert.equal(formatNetworkRow({ devid: 0, backendId: 0, mac: '00:16:3E:12:34:56', state: 4, evtchn: 19, txRef: 768, rxRef: 769, bePath: '/local/domain/0/backend/vif/1/0' }),
    '0   0  00:16:3e:12:34:56     0     4     19   768/769         /local/domain/0/backend/vif/1/0\n');
});

test('block-list: header and row, the frontend domid in the handle column', () => {
  assert.equal(BLOCK_LIST_HEADER, 'Vdev  BE  handle state evt-ch ring-ref BE-path                       \n');
  assert.equal(formatBlockRow({ devid: 51712, backendId: 0, frontendId: 1, state: 4, evtchn: 21, ringRef: 8, bePath: '/local/domain/0/backend/vbd/1/51712' }),
    '51712 0   1      4     21     8        /local/domain/0/backend/vbd/1/51712\n');
});

test('device lists skip unknown names with block-list\'s message and go on', async () => {
  const { ToolError } = await import('./harness.ts');
  const r = await runXl(['block-list', 'nosuch', '3'], {
    'domain.resolve': () => { throw new ToolError('EINVALDOM', 'nosuch is an invalid domain identifier (rc=-6)', 1); },
    'device.list': () => [{ devid: 51712, backendId: 0, frontendId: 3, state: 4, evtchn: 5, ringRef: 8, bePath: '/local/domain/0/backend/vbd/3/51712' }],
  });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, 'nosuch is an invalid domain identifier\n');
  assert.equal(r.stdout.split('\n').length, 3);
});
