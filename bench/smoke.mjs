// Smoke mode (`node bench/run.mjs --smoke`, which sets XENLAB_BENCH_SMOKE=1 for every bench and
// the children they spawn): each bench runs its whole path once on a tiny size, so that
// `npm test` finds a bench that no longer runs. Its figures then mean nothing.
export const SMOKE = process.env.XENLAB_BENCH_SMOKE === '1';
/** The full-run value, or the smoke-run one. */
export const sized = (full, smoke) => (SMOKE ? smoke : full);
