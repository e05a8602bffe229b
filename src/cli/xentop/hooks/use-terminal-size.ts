// The terminal's size, following resizes (curses' LINES and COLS).
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useTerminalSize(): { rows: number; cols: number } {
  const { stdout } = useStdout();
  const read = () => ({ rows: stdout.rows || 24, cols: stdout.columns || 80 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return size;
}
