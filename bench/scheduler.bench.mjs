// credit2 model throughput: simulated seconds per CPU second for 1,000 domains (1-2 vCPUs,
// mixed demands) on 64 pCPUs, with tracing off and with a sink that accepts and counts every
// record. Prints both rates and the ratio on/off; then credit (credit1) on the same mix, tracing
// off, as a ratio to credit2.
import { Credit2 } from '../src/hypervisor/credit2/index.ts';
import { Credit } from '../src/hypervisor/sched-credit/credit.ts';
import { sinkOf } from '../src/hypervisor/trace-sink.ts';
import { sized } from './smoke.mjs';

const NS = 1_000_000_000n;
const DOMAINS = sized(1000, 20);

function build(trace, Sched = Credit2) {
  const c = new Sched({ nrPcpus: 64, pcpus: Array.from({ length: 64 }, (_, i) => i), trace });
  // A fixed, seeded mix: idle, light, duty-cycle and CPU-bound guests, some capped or weighted.
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const demands = [0, 0.05, 0.1, 0.3, 0.5, 0.7, 1];
  c.addDomain(0, { nrVcpus: 4, demand: 0.05 });
  for (let d = 1; d <= DOMAINS; d++) {
    const nrVcpus = rnd() < 0.5 ? 1 : 2;
    const weight = rnd() < 0.1 ? 512 : 256;
    const cap = rnd() < 0.1 ? 50 : 0;
    c.addDomain(d, { nrVcpus, weight, cap });
    for (let v = 0; v < nrVcpus; v++) c.setDemand(d, v, demands[Math.floor(rnd() * demands.length)]);
  }
  return c;
}

function run(trace, seconds, Sched) {
  const c = build(trace, Sched);
  c.advance(NS / 10n); // warm up
  const t0 = process.cpuUsage();
  for (let s = 1; s <= seconds; s++) c.advance(NS / 10n + BigInt(s) * NS);
  const u = process.cpuUsage(t0);
  const cpuS = (u.user + u.system) / 1e6;
  return { simPerCpu: seconds / cpuS, cpuMsPerSimS: (cpuS * 1000) / seconds };
}

const SECONDS = Number(process.env.SIM_SECONDS ?? sized(5, 1));
const off = run(undefined, SECONDS);
let records = 0;
// Built by sinkOf, so it has every member the scheduler uses (a hand-built one fell behind).
const counting = sinkOf({ enabled: true, wants: () => true, record: () => { records++; } });
const on = run(counting, SECONDS);
console.log(`${DOMAINS} domains / 64 pCPUs, ${SECONDS} simulated s`);
console.log(`trace off: ${off.simPerCpu.toFixed(2)} simulated s per CPU s (${off.cpuMsPerSimS.toFixed(1)} ms CPU per simulated s)`);
console.log(`trace on : ${on.simPerCpu.toFixed(2)} simulated s per CPU s (${on.cpuMsPerSimS.toFixed(1)} ms CPU per simulated s, ${Math.round(records / SECONDS)} records per simulated s)`);
console.log(`ratio on/off (CPU cost): ${(on.cpuMsPerSimS / off.cpuMsPerSimS).toFixed(2)}x`);
const credit = run(undefined, SECONDS, Credit);
console.log(`credit   : ${credit.simPerCpu.toFixed(2)} simulated s per CPU s (${credit.cpuMsPerSimS.toFixed(1)} ms CPU per simulated s, trace off)`);
console.log(`ratio credit/credit2 (CPU cost): ${(credit.cpuMsPerSimS / off.cpuMsPerSimS).toFixed(2)}x`);
