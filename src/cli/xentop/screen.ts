// The whole interactive screen for one refresh: summary, table, and the key bar or the delay
// prompt on the last line — laid out on a CursesScreen exactly as xentop's top() draws it.
import type { StatsSample } from '../../protocol/stats.ts';
import { CursesScreen } from './curses.ts';
import { printTable, type TableOptions } from './table.ts';

export interface ScreenState extends TableOptions {
  /** Delay prompt being typed, or null for the key bar. */
  prompt: string | null;
}

function hhmmss(wallMs: number): string {
  const t = new Date(wallMs);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map(n => String(n).padStart(2, '0')).join(':');
}

/** The three summary lines; a domain counts once, in the first state of this precedence. */
export function summaryLines(s: StatsSample): string[] {
  const n = { run: 0, block: 0, pause: 0, shutdown: 0, crash: 0, dying: 0 };
  for (const d of s.domains) {
    if (d.running) n.run++;
    else if (d.blocked) n.block++;
    else if (d.paused) n.pause++;
    else if (d.shutdown) n.shutdown++;
    else if (d.crashed) n.crash++;
    else if (d.dying) n.dying++;
  }
  const used = s.totalMemKb - s.freeMemKb;
  return [
    `xentop - ${hhmmss(s.wallMs)}   Xen ${s.xenVersion}\n`,
    `${s.domains.length} domains: ${n.run} running, ${n.block} blocked, ${n.pause} paused, ${n.crash} crashed, ${n.dying} dying, ${n.shutdown} shutdown \n`,
    `Mem: ${s.totalMemKb}k total, ${used}k used, ${s.freeMemKb}k free    CPUs: ${s.nrCpus} @ ${s.cpuMhz}MHz\n`,
  ];
}

function keyBar(scr: CursesScreen, st: ScreenState): void {
  const key = (k: string) => scr.addstr(k, { reverse: true });
  const label = (t: string, on: boolean) => scr.addstr(t, on ? { highlight: true } : {});
  key('D'); scr.addstr('elay  ');
  key('N'); label('etworks', st.networks); scr.addstr('  ');
  label('v', st.vbds); key('B'); label('ds', st.vbds); scr.addstr('  ');
  key('V'); label('CPUs', st.vcpus); scr.addstr('  ');
  key('R'); label('epeat header', st.repeatHeader); scr.addstr('  ');
  key('S'); scr.addstr('ort order  ');
  key('Q'); scr.addstr('uit  ');
}

/** Draws one refresh; returns the screen and the (clamped) first domain index. */
export function drawScreen(rows: number, cols: number, cur: StatsSample, prev: StatsSample | null, st: ScreenState): { screen: CursesScreen; firstDomain: number } {
  const scr = new CursesScreen(rows, cols);
  for (const line of summaryLines(cur)) scr.print(line);
  const firstDomain = printTable(scr, cur, prev, st);
  scr.move(rows - 1, 2);
  if (st.prompt !== null) scr.addstr(`Delay(sec): ${st.prompt}`);
  else keyBar(scr, st);
  return { screen: scr, firstDomain };
}
