// A domain's PV console ring page: bytes out from the guest, bytes in to it, each direction with
// an event-channel style notification. xenconsoled reads `out` and writes `in`; the guest the reverse.
export class ConsolePage {
  private outListeners: ((data: string) => void)[] = [];
  private inListener: (data: string) => void = () => {};

  /** Guest side: write console output. */
  guestWrite(data: string): void { for (const l of this.outListeners) l(data); }
  /** Guest side: receive console input. */
  onGuestInput(cb: (data: string) => void): void { this.inListener = cb; }
  /** Backend side (xenconsoled). */
  onOutput(cb: (data: string) => void): void { this.outListeners.push(cb); }
  backendWrite(data: string): void { this.inListener(data); }
}

/** A xenstore ring between one domain and xenstored: wire-format bytes both ways. */
export interface XenstoreRing {
  write(buf: Buffer): void;
  onData(cb: (buf: Buffer) => void): void;
  close(): void;
}
