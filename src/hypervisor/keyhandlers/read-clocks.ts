// 't' (keyhandler.c's read_clocks): every pCPU reads its system time and TSC at the same moment
// and the skews between them are printed, with their maximum and average over the presses so
// far. The emulated pCPUs share one clock, so every skew is zero; only the samples count.
export class ClockSkew {
  private samples = 0;

  read(): string[] {
    const n = ++this.samples;
    return [
      `Synced stime skew: max=0ns avg=0ns samples=${n} current=0ns`,
      `Synced cycles skew: max=0 avg=0 samples=${n} current=0`,
    ];
  }
}
