// The getters xl_parse.c calls, bound to one config and one stderr sink, plus xl's way out.

import { type XlCfg, getDefbool, getLong, getLongBig, getString } from '../xlcfg/config.ts';
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
  /**
   * A size in MiB as the uint64 KiB field xl stores it in (`l * 1024` on a C long): exact past
   * 2^53, where it is a bigint, and wrapping as C does.
   */
  memkb(k: string): number | bigint | undefined {
    const l = getLongBig(this.cfg, k, this.sink);
    if (l === undefined) return undefined;
    const v = BigInt.asUintN(64, l * 1024n);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  defbool(k: string): Defbool | undefined { return db(getDefbool(this.cfg, k, this.sink)); }
}
