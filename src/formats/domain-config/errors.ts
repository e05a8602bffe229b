/**
 * A config that xl rejects: `messages` are every stderr line printed up to and including the
 * fatal one (warnings first, in order), `exitCode` is xl's exit status.
 */
export class ConfigError extends Error {
  constructor(readonly messages: string[], readonly exitCode: number) {
    super(messages[messages.length - 1] ?? 'invalid config');
    this.name = 'ConfigError';
  }
}
