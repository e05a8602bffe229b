// Interactive mode: ink on the alternate screen when stdout is a terminal. When it is not, there
// is no live redrawing: the refreshes happen silently and the last screen is printed once, as
// plain text, when the run ends (-i, SIGINT or SIGTERM).
import { render } from 'ink';
import type { StatsSample } from '../../protocol/stats.ts';
import type { XentopOptions } from './options.ts';
import type { StatsSource } from './stats-source.ts';
import type { KeyState } from './keys.ts';
import { DEFAULT_TABLE_OPTIONS } from './table.ts';
import { drawScreen } from './screen.ts';
import { delayNs } from './batch.ts';
import { App } from './components/App.tsx';
import { StatsSourceContext } from './stats-context.ts';
import { bytesFromText } from '../../formats/byte-text.ts';

function initialState(o: XentopOptions): KeyState {
  return { ...DEFAULT_TABLE_OPTIONS, networks: o.networks, vbds: o.vbds, vcpus: o.vcpus, repeatHeader: o.repeatHeader, fullName: o.fullName, prompt: null, delay: o.delay };
}

function runWithoutTerminal(source: StatsSource, o: XentopOptions): Promise<void> {
  const st = initialState(o);
  return new Promise((resolve, reject) => {
    let cur: StatsSample | null = null, prev: StatsSample | null = null, n = 0;
    const finish = () => {
      watch.stop();
      if (cur) process.stdout.write(bytesFromText(drawScreen(process.stdout.rows || 24, process.stdout.columns || 80, cur, prev, st).screen.text() + '\n'));
      resolve();
    };
    const watch = source.watch(delayNs(o.delay), s => {
      prev = cur; cur = s;
      if (o.iterations !== null && ++n >= o.iterations) finish();
    }, reject);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });
}

export async function runInteractive(source: StatsSource, o: XentopOptions): Promise<void> {
  if (!process.stdout.isTTY) return runWithoutTerminal(source, o);
  let failure: Error | null = null;
  // curses' smcup/rmcup: the screen is restored on exit, leaving no stray output.
  process.stdout.write('\x1b[?1049h\x1b[?25l');
  const restore = () => process.stdout.write('\x1b[?25h\x1b[?1049l');
  const onSignal = () => { instance.unmount(); };
  process.once('SIGTERM', onSignal);
  const instance = render(
    <StatsSourceContext.Provider value={source}>
      <App initial={initialState(o)} iterations={o.iterations} plain={!!process.env.NO_COLOR} onError={e => { failure = e; }} />
    </StatsSourceContext.Provider>,
    { patchConsole: false, exitOnCtrlC: true },
  );
  try { await instance.waitUntilExit(); } finally { restore(); }
  if (failure) throw failure;
}
