// libxl_set_parameters: Xen's runtime parameters (the hypfs /params entries). Of them the model
// has the log thresholds; any other name is not there. A value set stays set across daemon restarts.
import { LOGLVL_PARAMS, type LoglvlParam } from '../../hypervisor/console-ring.ts';
import { err } from './errors.ts';
import type { Toolstack } from './toolstack.ts';

const isRuntimeParam = (name: string): name is LoglvlParam => (LOGLVL_PARAMS as readonly string[]).includes(name);

/**
 * Each blank-separated `name=value` (`noname` meaning name=no) is a hypfs write of /params/<name>,
 * in order; the first that fails ends it, the ones before it staying set.
 */
export function setParameters(ts: Toolstack, params: string): void {
  const console = ts.hv.console;
  for (const p of params.split(/[ \t]+/).filter(Boolean)) {
    const eq = p.indexOf('=');
    const [name, value] = eq < 0 && p.startsWith('no') ? [p.slice(2), 'no'] : [p.slice(0, eq), p.slice(eq + 1)];
    if (!isRuntimeParam(name)) throw err.setParameters('ENOENT', params);
    const before = console.loglvl(name);
    const ok = console.setLoglvl(name, value);
    try { ts.platform.commitXenSettings(); } catch (e) { console.setLoglvl(name, before); throw e; }
    if (!ok) throw err.setParameters('EINVAL', params);
  }
}
