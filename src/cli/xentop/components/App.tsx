// Interactive xentop: samples from the StatsSource, keys through handleKey, the screen laid out
// by drawScreen at the terminal's size. Quits on Q/Esc or after -i refreshes. Every key press
// redraws from a new sample, as the real loop calls top() whenever getch returns a key.
import { useEffect, useRef, useState } from 'react';
import { useApp } from 'ink';
import { drawScreen } from '../screen.ts';
import { handleKey, type KeyState } from '../keys.ts';
import { useStats } from '../hooks/use-stats.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { useXentopKeys } from '../hooks/use-xentop-keys.ts';
import { XentopScreen } from './XentopScreen.tsx';

export interface AppProps { initial: KeyState; iterations: number | null; plain: boolean; onError: (e: Error) => void }

export function App({ initial, iterations, plain, onError }: AppProps) {
  const { exit } = useApp();
  const [st, setSt] = useState(initial);
  const [keyPresses, setKeyPresses] = useState(0);
  const { cur, prev, count, error } = useStats(st.delay, keyPresses);
  const { rows, cols } = useTerminalSize();

  // Keys can arrive before ink re-subscribes the handler after a render: read the latest state
  // from a ref, never from a stale closure.
  const latest = useRef({ st, n: 0 });
  latest.current = { st, n: cur?.domains.length ?? 0 };

  useXentopKeys(key => {
    const r = handleKey(latest.current.st, key, latest.current.n);
    latest.current.st = r.state;
    if (r.quit) { exit(); return; }
    // The new sample's frame is drawn whole (the screen is full), which is also Ctrl-L's repaint.
    setKeyPresses(n => n + 1);
    setSt(r.state);
  });
  useEffect(() => { if (error) { onError(error); exit(); } }, [error]);
  useEffect(() => { if (iterations !== null && count >= iterations) exit(); }, [count]);

  if (!cur) return null;
  return <XentopScreen lines={drawScreen(rows, cols, cur, prev, st).screen.lines()} plain={plain} />;
}
