// credit2 weights on one pCPU while busy domains run on other pCPUs (simulation.md §3.3, oracle 1
// with neighbours): a neighbour in another runqueue never touches the pair's credits, so the
// weights give their shares exactly as when the pair is alone. Deterministic, virtual time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';

const S = 1_000_000_000n;
const OVER = 10n * S;

/** Shares of the domains pinned to pCPU 0, and of the busy neighbour, over OVER of simulated time. */
function shares(o: { nrPcpus: number; perRq: number; weights: number[]; neighbour: number[] | null }): { pinned: number[]; neighbour: number } {
  const c = new Credit2({ nrPcpus: o.nrPcpus, runqueuePerSocket: o.perRq });
  o.weights.forEach((w, i) => c.addDomain(i + 1, { nrVcpus: 1, weight: w, demand: 1, hardAffinity: [[0]] }));
  if (o.neighbour) c.addDomain(99, { nrVcpus: o.neighbour.length, demand: 1, hardAffinity: o.neighbour.map(p => [p]) });
  c.advance(OVER);
  if (o.neighbour) for (const [i, p] of o.neighbour.entries()) assert.equal(c.vcpu(99, i).pcpu, p);
  return {
    pinned: o.weights.map((_, i) => Number(c.domainCpuTimeNs(i + 1)) / Number(OVER)),
    neighbour: o.neighbour ? Number(c.domainCpuTimeNs(99)) / Number(OVER) : 0,
  };
}

const near = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) <= 0.03 * want, `${what}: got ${got.toFixed(4)}, want ${want.toFixed(4)} ± 3%`);

for (const [layout, nrPcpus, perRq, neighbour] of [
  ['two sockets of 2 pCPUs, the neighbour on the other socket', 4, 2, [2, 3]],
  ['four sockets of 2 pCPUs, a 4-vCPU neighbour on two other sockets', 8, 2, [2, 3, 4, 5]],
  ['two sockets of 4 pCPUs, a 3-vCPU neighbour filling the other socket but one', 8, 4, [4, 5, 6]],
] as const) {
  test(`weights 512:256 on pCPU 0 keep 2/3 : 1/3 beside a busy neighbour: ${layout}`, () => {
    const alone = shares({ nrPcpus, perRq, weights: [512, 256], neighbour: null });
    const busy = shares({ nrPcpus, perRq, weights: [512, 256], neighbour: [...neighbour] });
    near(busy.pinned[0]!, 2 / 3, 'weight 512');
    near(busy.pinned[1]!, 1 / 3, 'weight 256');
    near(busy.pinned[0]! / busy.pinned[1]!, alone.pinned[0]! / alone.pinned[1]!, 'the ratio alone and beside the neighbour');
    near(busy.neighbour, neighbour.length, 'the neighbour has its pCPUs to itself');
  });
}

test('weights 768:512:256 on pCPU 0 give 1/2 : 1/3 : 1/6 beside a busy neighbour on the other socket', () => {
  const { pinned, neighbour } = shares({ nrPcpus: 4, perRq: 2, weights: [768, 512, 256], neighbour: [2, 3] });
  near(pinned[0]!, 1 / 2, 'weight 768');
  near(pinned[1]!, 1 / 3, 'weight 512');
  near(pinned[2]!, 1 / 6, 'weight 256');
  near(neighbour, 2, 'neighbour');
});
