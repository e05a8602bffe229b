/**
 * A config that xl rejects: `messages` are every stderr line printed up to and including the
 * fatal one (warnings first, in order), `exitCode` is xl's exit status. A few of xl's messages
 * lack their final newline; `unterminated` says the last one is such.
 */
export class ConfigError extends Error {
  constructor(readonly messages: string[], readonly exitCode: number, readonly unterminated = false) {
    super(messages[messages.length - 1] ?? 'invalid config');
    this.name = 'ConfigError';
  }
}

/** The exact stderr text for a list of message lines. */
export function stderrText(messages: readonly string[], unterminated = false): string {
  const text = messages.map(l => l + '\n').join('');
  return unterminated && text ? text.slice(0, -1) : text;
}
