// One screen line: runs of text with curses attributes (reverse, bold, the yellow highlight of
// active toggles in the key bar). `plain` (NO_COLOR) drops every attribute.
import { Text } from 'ink';
import type { Segment } from '../curses.ts';

export function ScreenLine({ segments, plain }: { segments: Segment[]; plain: boolean }) {
  if (segments.length === 0) return <Text> </Text>;
  if (plain) return <Text wrap="end">{segments.map(s => s.text).join('')}</Text>;
  return (
    <Text wrap="end">
      {segments.map((s, i) => (
        <Text key={i} inverse={s.attrs.reverse} bold={s.attrs.bold} backgroundColor={s.attrs.highlight ? 'yellow' : undefined}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
