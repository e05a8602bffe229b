// xentrace -M: windows kept in a circular memory buffer of a fixed size. When a new window does
// not fit, whole windows are dropped from the front, then more until the first one kept is for a
// CPU no higher than the last one dropped (so the file starts at a low CPU, for TSC
// consistency); the rest is written at exit.

export class MemBuffer {
  private windows: { cpu: number; bytes: Buffer }[] = [];
  private used = 0;

  constructor(readonly size: number) {}

  /** Keep one window (cpu_change record included); an error text if it can never fit. */
  add(cpu: number, bytes: Buffer): string | undefined {
    const windowSize = bytes.length - 12;
    if (windowSize > this.size) return `membuf_reserve_window: reserve size ${windowSize} larger than buffer size ${this.size}!\n`;
    let need = bytes.length - (this.size - this.used);
    if (need > 0) {
      let lastCpu = -1;
      while (need > 0 && this.windows.length) {
        const w = this.windows.shift()!;
        lastCpu = w.cpu;
        this.used -= w.bytes.length;
        need -= w.bytes.length;
      }
      while (this.windows.length && this.windows[0]!.cpu > lastCpu) {
        const w = this.windows.shift()!;
        lastCpu = w.cpu;
        this.used -= w.bytes.length;
      }
    }
    this.windows.push({ cpu, bytes });
    this.used += bytes.length;
    return undefined;
  }

  contents(): Buffer[] { return this.windows.map(w => w.bytes); }
}
