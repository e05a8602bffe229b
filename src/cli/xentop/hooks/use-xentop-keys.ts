// Ink's key events mapped onto xentop's keys (see keys.ts for what each one does).
import { useInput, useStdin } from 'ink';
import { keysOf, type Key } from '../keys.ts';

export function toKey(input: string, k: { upArrow: boolean; downArrow: boolean; escape: boolean; return: boolean; backspace: boolean; delete: boolean; ctrl: boolean }): Key | null {
  if (k.upArrow) return { kind: 'up' };
  if (k.downArrow) return { kind: 'down' };
  if (k.escape) return { kind: 'escape' };
  if (k.return) return { kind: 'enter' };
  if (k.backspace || k.delete) return { kind: 'backspace' };
  if (k.ctrl && input === 'l') return { kind: 'repaint' };
  if (k.ctrl) return null;
  return input.length === 1 ? { kind: 'char', ch: input } : null;
}

export function useXentopKeys(onKey: (k: Key) => void): void {
  const { isRawModeSupported } = useStdin();
  useInput((input, k) => {
    // Several keys in one read reach us as one string ("nb", "3\r"): take them one at a time.
    if (input.length > 1 && !k.ctrl && !k.meta && !k.escape) {
      for (const key of keysOf(input)) onKey(key);
      return;
    }
    const key = toKey(input, k);
    if (key) onKey(key);
  }, { isActive: isRawModeSupported });
}
