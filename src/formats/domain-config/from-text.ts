// The whole config step of `xl create` after the file has been read: append the command-line
// overrides, parse, build. Returns what xl would print to stderr after "Parsing config from".

import { PARSE_FAILURE_MESSAGE, composeConfigText, parseXlCfg } from '../xlcfg/config.ts';
import { type BuildOptions, type BuildResult, buildDomainConfig } from './build.ts';
import { ConfigError } from './errors.ts';

export type ConfigOutcome =
  | ({ ok: true } & BuildResult)
  | { ok: false; messages: string[]; exitCode: number; /** the last message has no newline */ unterminated?: boolean };

export function configFromText(
  fileText: string, overrides: readonly string[], opts: BuildOptions,
): ConfigOutcome {
  const parsed = parseXlCfg(composeConfigText(fileText, overrides), opts.filename);
  if ('errors' in parsed) return { ok: false, messages: [...parsed.errors, PARSE_FAILURE_MESSAGE], exitCode: 1 };
  try {
    const built = buildDomainConfig(parsed.cfg, opts);
    // create_domain then intersects each hard affinity with xl.conf's global masks (all pCPUs
    // here), and a map left empty (nothing selected, or past the host's pCPUs) ends it
    if (built.config.b_info.vcpu_hard_affinity?.some(m => m.length === 0)) {
      return { ok: false, messages: [...built.warnings, 'vcpu hard affinity map is empty'], exitCode: 1 };
    }
    return { ok: true, ...built };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, messages: e.messages, exitCode: e.exitCode, unterminated: e.unterminated };
    throw e;
  }
}
