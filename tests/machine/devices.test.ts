// The device model: a queue's rate is its requests in flight over the device's latency, within
// the device's bandwidth and its share of the device's queue depth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskModel, nicModel, queueCeiling } from '../../src/machine/devices.ts';

const MiB = 1024 * 1024;

test('a full blkif ring of 64 KiB requests is bandwidth-bound on either disk', () => {
  assert.equal(queueCeiling(diskModel('nvme'), 32, 65536, 1, 1), 3000 * MiB);
  assert.equal(queueCeiling(diskModel('sata'), 32, 65536, 1, 1), 500 * MiB);
  assert.equal(queueCeiling(diskModel('nvme'), 32, 65536, 1, 0.1), 300 * MiB);
});

test('small requests are latency-bound: requests in flight over the latency', () => {
  // One 4 KiB request at a time on the NVMe: 4096 bytes per 80 µs.
  assert.equal(queueCeiling(diskModel('nvme'), 1, 4096, 1, 1), 4096 * 1e9 / 80_000);
  // 16 in flight on the SATA SSD: 16 × 4096 per 200 µs.
  assert.equal(queueCeiling(diskModel('sata'), 16, 4096, 1, 1), 16 * 4096 * 1e9 / 200_000);
});

test('the queue depth is shared: 64 queues on SATA NCQ (32) keep one request each in flight', () => {
  assert.equal(queueCeiling(diskModel('sata'), 32, 4096, 64, 1), 4096 * 1e9 / 200_000);
  assert.equal(queueCeiling(diskModel('sata'), 32, 4096, 4, 1), 8 * 4096 * 1e9 / 200_000);
});

test('the NIC is a 10 GbE port', () => {
  assert.equal(nicModel().bandwidth, 1.25e9);
  assert.equal(queueCeiling(nicModel(), 256, 65535, 1, 1), 1.25e9);
});
