// The blessed-contrib dashboard (a xenlab extension): CPU(%) per domain over time, host CPU and
// memory gauges, network and disk throughput, a domain table to pick a domain from, and a log
// of lifecycle events. Keys: ↑/↓ pick a domain, p pause, u unpause, q/Esc/Ctrl-C quit.
import blessed from 'blessed';
import contrib, { type Gauge, type Line, type Log, type Table } from 'blessed-contrib';
import type { Streams } from '../../../protocol/streams.ts';
import type { StatsSource } from '../stats-source.ts';
import { delayNs } from '../batch.ts';
import { addSample, chartedDomains, emptyModel, type DashboardModel } from './model.ts';

export type LifecycleEvent = Streams['events.watch']['event'];

export interface DashboardFeed {
  source: StatsSource;
  delaySeconds: number;
  /** Subscribes to lifecycle events; returns an unsubscribe function. */
  events(onEvent: (e: LifecycleEvent) => void): () => void;
  pause(domid: number): Promise<void>;
  unpause(domid: number): Promise<void>;
}

const COLOURS = ['red', 'green', 'yellow', 'cyan', 'magenta', 'white', 'blue'];
const kb = (n: number) => n.toFixed(1);
/** contrib's gauge reads values up to 1 as fractions: give it those as fractions too. */
const gaugePercent = (p: number) => { const r = Math.round(p); return r <= 1 ? r / 100 : r; };

export function eventLine(e: LifecycleEvent): string {
  const secs = (Number(BigInt(e.ns) / 1_000_000n) / 1000).toFixed(1);
  return `${secs}s ${e.kind} ${e.name ?? '-'} (${e.domid})${e.detail ? `: ${e.detail}` : ''}`;
}

/** Resolves when the user quits (the terminal restored by then). */
export function runDashboardUI(feed: DashboardFeed): Promise<void> {
  const screen = blessed.screen({ smartCSR: true, title: 'xentop --dashboard', forceUnicode: true });
  const grid = new contrib.grid({ rows: 12, cols: 12, screen });
  const cpu = grid.set<Line>(0, 0, 6, 8, contrib.line, { label: ' CPU(%) per domain ', showLegend: true, legend: { width: 16 }, minY: 0, wholeNumbersOnly: false });
  const memGauge = grid.set<Gauge>(0, 8, 3, 4, contrib.gauge, { label: ' Host memory used ', stroke: 'green', fill: 'white' });
  const cpuGauge = grid.set<Gauge>(3, 8, 3, 4, contrib.gauge, { label: ' Host CPU busy ', stroke: 'cyan', fill: 'white' });
  const net = grid.set<Line>(6, 0, 3, 4, contrib.line, { label: ' Network KB/s ', showLegend: true, legend: { width: 8 }, minY: 0 });
  const disk = grid.set<Line>(6, 4, 3, 4, contrib.line, { label: ' Disk KB/s ', showLegend: true, legend: { width: 8 }, minY: 0 });
  const log = grid.set<Log>(6, 8, 6, 4, contrib.log, { label: ' Events ', fg: 'green' });
  const table = grid.set<Table>(9, 0, 3, 8, contrib.table, {
    label: ' Domains (↑/↓ pick, p pause, u unpause, q quit) ', keys: true, interactive: true, fg: 'white',
    selectedFg: 'black', selectedBg: 'cyan', columnSpacing: 2, columnWidth: [24, 5, 7, 8, 10, 5],
  });
  table.focus();

  let model: DashboardModel = emptyModel();
  const selected = () => model.rows[table.rows.selected]?.domid ?? null;

  const draw = () => {
    const ids = chartedDomains(model, selected());
    cpu.setData(ids.map((id, i) => ({ title: model.cpuByDomain.get(id)!.name.slice(0, 14), x: model.times, y: model.cpuByDomain.get(id)!.points, style: { line: COLOURS[i % COLOURS.length] } })));
    memGauge.setPercent(gaugePercent(model.hostMemPct));
    cpuGauge.setPercent(gaugePercent(model.hostCpuPct));
    net.setData([{ title: 'RX', x: model.times, y: model.netRxKBps, style: { line: 'green' } }, { title: 'TX', x: model.times, y: model.netTxKBps, style: { line: 'yellow' } }]);
    disk.setData([{ title: 'RD', x: model.times, y: model.diskRdKBps, style: { line: 'cyan' } }, { title: 'WR', x: model.times, y: model.diskWrKBps, style: { line: 'red' } }]);
    const keep = table.rows.selected;
    table.setData({
      headers: ['NAME', 'ID', 'STATE', 'CPU(%)', 'MEM(k)', 'VCPUS'],
      data: model.rows.map(r => [r.name, String(r.domid), r.state, kb(r.cpuPct), String(r.memKb), String(r.vcpus)]),
    });
    if (keep > 0 && keep < model.rows.length) table.rows.select(keep);
    screen.render();
  };

  const act = (verb: 'pause' | 'unpause') => {
    const row = model.rows[table.rows.selected];
    if (!row) return;
    (verb === 'pause' ? feed.pause(row.domid) : feed.unpause(row.domid))
      .then(() => log.log(`${verb}d ${row.name} (${row.domid})`), e => log.log(`${verb} ${row.name}: ${e?.message ?? e}`))
      .finally(() => screen.render());
  };

  return new Promise(resolve => {
    const watch = feed.source.watch(delayNs(feed.delaySeconds), s => { model = addSample(model, s); draw(); },
      e => { log.log(`statistics: ${e.message}`); screen.render(); });
    const unsubscribe = feed.events(e => { log.log(eventLine(e)); screen.render(); });
    // The list moves its selection on the key itself; redraw after it so the chart follows.
    screen.key(['up', 'down', 'k', 'j'], () => setImmediate(draw));
    screen.key(['p'], () => act('pause'));
    screen.key(['u'], () => act('unpause'));
    screen.key(['q', 'escape', 'C-c'], () => {
      watch.stop(); unsubscribe();
      screen.destroy();
      resolve();
    });
    screen.render();
  });
}
