// libxl_mem.c: a domain's balloon target (mem-set) and its static maximum (mem-max), with
// libxl's checks and texts. Each change is recorded before the guest is told.
import { LibxlError, err } from './errors.ts';
import type { Toolstack } from './toolstack.ts';

/** Dom0's balloon never goes below this (libxl's minimum for a dom0 target, 128 MiB). */
const DOM0_MIN_TARGET_KB = 128 * 1024;

function maxmemKb(ts: Toolstack, domid: number): number {
  const p = ts.hv.get(domid).maxPages;
  return p < 0 ? -1 : p * 4;
}

/** libxl_set_memory_target. */
export async function setMemoryTarget(ts: Toolstack, domid: number, targetKb: number): Promise<void> {
  const { hv, xs } = ts;
  if (domid === 0) {
    if (targetKb < DOM0_MIN_TARGET_KB) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:331:libxl_set_memory_target: New target ${targetKb} for dom0 is below the minimum threshold`, 1);
    hv.setMaxmem(0, -1);
    const d = hv.get(0);
    const diff = Math.floor(targetKb / 4) - d.totPages;
    if (diff > 0) hv.allocate(d, Math.min(diff, hv.freePages)); else hv.release(d, -diff);
    await xs.write('/local/domain/0/memory/target', String(targetKb));
    return;
  }
  const rec = ts.records.get(domid);
  if (!rec) throw err.noSuchDomain(String(domid));
  if (targetKb > rec.staticMaxKb) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:398:libxl_set_memory_target: memory_dynamic_max must be less than or equal to memory_static_max\n`, 1);
  const oldTargetKb = rec.targetKb, oldMaxKb = maxmemKb(ts, domid);
  rec.targetKb = targetKb;
  hv.setMaxmem(domid, targetKb + rec.videoKb);
  // Recorded before the guest is told: a mem-set that is not acknowledged never reaches it.
  ts.commitOrUndo(domid, () => { rec.targetKb = oldTargetKb; hv.setMaxmem(domid, oldMaxKb); });
  await xs.write(`/local/domain/${domid}/memory/target`, String(targetKb));
}

/** libxl_domain_setmaxmem. */
export async function setMaxmem(ts: Toolstack, domid: number, maxKb: number): Promise<void> {
  const { hv } = ts;
  const rec = ts.records.get(domid);
  if (domid === 0 || !rec) { if (domid !== 0) throw err.noSuchDomain(String(domid)); hv.setMaxmem(0, maxKb); return; }
  if (maxKb < rec.targetKb) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:87:libxl_domain_setmaxmem: memory_static_max must be greater than or or equal to memory_dynamic_max`, 1);
  const oldStaticMaxKb = rec.staticMaxKb, oldMaxKb = maxmemKb(ts, domid);
  rec.staticMaxKb = maxKb;
  rec.config.b_info.max_memkb = maxKb;
  hv.setMaxmem(domid, maxKb + rec.videoKb);
  ts.commitOrUndo(domid, () => { rec.staticMaxKb = rec.config.b_info.max_memkb = oldStaticMaxKb; hv.setMaxmem(domid, oldMaxKb); });
  await ts.xs.write(`/local/domain/${domid}/memory/static-max`, String(maxKb));
}
