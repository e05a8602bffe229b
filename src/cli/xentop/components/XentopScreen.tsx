// The whole screen: every line of the curses layout, top to bottom.
import { Box } from 'ink';
import type { Segment } from '../curses.ts';
import { ScreenLine } from './ScreenLine.tsx';

export function XentopScreen({ lines, plain }: { lines: Segment[][]; plain: boolean }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => <ScreenLine key={i} segments={l} plain={plain} />)}
    </Box>
  );
}
