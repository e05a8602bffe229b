// The getters xl_parse.c calls, bound to one config and one stderr sink, plus xl's way out.

import { type XlCfg, getDefbool, getLong, getString } from '../xlcfg/config.ts';
import { ConfigError } from './errors.ts';
import type { Defbool } from './types.ts';

export const db = (b: boolean | undefined): Defbool | undefined => (b === undefined ? undefined : b ? 'True' : 'False');

export class CfgReader {
  /** everything printed to stderr so far, in order */
  readonly sink: string[] = [];
  constructor(readonly cfg: XlCfg) {}

  /** Stop as xl does: print `msg` (after what is already printed) and exit with `code`. */
  readonly fail = (msg: string | null, code = 1, unterminated = false): never => {
    throw new ConfigError(msg === null ? [...this.sink] : [...this.sink, msg], code, unterminated);
  };

  str(k: string): string | undefined { return getString(this.cfg, k, this.sink); }
  long(k: string): number | undefined { return getLong(this.cfg, k, this.sink); }
  /** a number if it is one, silently nothing otherwise (xl then tries the string form) */
  quietLong(k: string): number | undefined { return getLong(this.cfg, k, [], true); }
  defbool(k: string): Defbool | undefined { return db(getDefbool(this.cfg, k, this.sink)); }
}
