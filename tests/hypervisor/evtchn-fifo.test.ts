// Dom0's event channels: Xen builds Dom0 with no port limit of its own, and Linux's Dom0 sets up
// the FIFO ABI, so it can bind the two ports (xenstore, console) of thousands of guests. A
// table that stays on the 2-level ABI stops at its 4,096 ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECS_UNBOUND, EVTCHN_FIFO_NR_CHANNELS, EvtchnTable } from '../../src/hypervisor/event-channel.ts';

/** get_free_port, then the port is taken (as alloc_unbound leaves it). */
const take = (t: EvtchnTable): number => { const p = t.allocPort(); t.ports[p]!.state = ECS_UNBOUND; return p; };
const errno = (fn: () => unknown): string => { try { fn(); } catch (e) { return (e as { errno: string }).errno; } return 'none'; };

test('the 2-level ABI ends at port 4095 (ENOSPC); after EVTCHNOP_init_control for FIFO the ports go on', () => {
  const t = new EvtchnTable(0, EVTCHN_FIFO_NR_CHANNELS - 1, 4);
  for (let i = 1; i < 4096; i++) assert.equal(take(t), i);
  assert.equal(errno(() => take(t)), 'ENOSPC');
  t.initControlFifo();
  assert.equal(take(t), 4096);
  for (let i = 4097; i <= 20_001; i++) take(t);
  assert.equal(t.livePorts().length, 20_001, 'room for 10,000 guests\' xenstore and console ports');
});

test('max_event_channels still bounds a FIFO table', () => {
  const t = new EvtchnTable(1, 1023, 1);
  t.initControlFifo();
  for (let i = 1; i <= 1023; i++) take(t);
  assert.equal(errno(() => take(t)), 'ENOSPC');
});
