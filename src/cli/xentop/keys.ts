// xentop's handle_key as a pure reducer: the table toggles, sort cycling, scrolling, and the
// delay prompt's line editing. Keys are case-insensitive; Enter applies atoi(value) when > 0.
import { FIELDS } from './fields.ts';
import { atoi } from '../../formats/libc/strtol.ts';
import type { ScreenState } from './screen.ts';

export type Key =
  | { kind: 'char'; ch: string }
  | { kind: 'up' } | { kind: 'down' } | { kind: 'escape' } | { kind: 'enter' } | { kind: 'backspace' } | { kind: 'repaint' };

export interface KeyState extends ScreenState { delay: number }

export interface KeyResult { state: KeyState; quit?: boolean }

/** The prompt's buffer holds at most 79 characters (PROMPT_VAL_LEN - 1). */
const PROMPT_MAX = 79;

export function handleKey(st: KeyState, key: Key, nDomains: number): KeyResult {
  if (st.prompt !== null) {
    switch (key.kind) {
      case 'enter': {
        const d = atoi(st.prompt);
        return { state: { ...st, prompt: null, delay: d > 0 ? d : st.delay } };
      }
      case 'escape': return { state: { ...st, prompt: null } };
      case 'backspace': return { state: { ...st, prompt: st.prompt.slice(0, -1) } };
      case 'char': {
        const printable = key.ch.length === 1 && key.ch >= ' ' && key.ch <= '~';
        return { state: printable && st.prompt.length < PROMPT_MAX ? { ...st, prompt: st.prompt + key.ch } : st };
      }
      default: return { state: st };
    }
  }
  switch (key.kind) {
    case 'escape': return { state: st, quit: true };
    // Ctrl-L: clear() then the redraw every key press gets.
    case 'repaint': return { state: st };
    case 'down': return { state: { ...st, firstDomain: Math.max(0, Math.min(st.firstDomain + 1, nDomains - 1)) } };
    case 'up': return { state: { ...st, firstDomain: Math.max(0, st.firstDomain - 1) } };
    case 'char':
      switch (key.ch.toLowerCase()) {
        case 'n': return { state: { ...st, networks: !st.networks } };
        case 'b': return { state: { ...st, vbds: !st.vbds } };
        case 'v': return { state: { ...st, vcpus: !st.vcpus } };
        case 'r': return { state: { ...st, repeatHeader: !st.repeatHeader } };
        case 's': return { state: { ...st, sortField: (st.sortField + 1) % FIELDS.length } };
        case 'd': return { state: { ...st, prompt: '' } };
        case 'q': return { state: st, quit: true };
      }
  }
  return { state: st };
}

/**
 * The keys in one read of the terminal, taken one at a time as curses' getch (keypad on, nonl)
 * returns them: a line typed at the delay prompt ("3\r") or keys typed quickly arrive together.
 */
export function keysOf(input: string): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '\x1b') {
      const arrow = /^\x1b[[O]([AB])/.exec(input.slice(i));
      if (arrow) { keys.push({ kind: arrow[1] === 'A' ? 'up' : 'down' }); i += 2; }
      else keys.push({ kind: 'escape' });
    } else if (ch === '\r') keys.push({ kind: 'enter' });
    else if (ch === '\x7f' || ch === '\b') keys.push({ kind: 'backspace' });
    else if (ch === '\x0c') keys.push({ kind: 'repaint' });
    else keys.push({ kind: 'char', ch });
  }
  return keys;
}
