// The two ends of a guest console and the xenstore transport, as the guest kernel and Dom0's
// daemons see them. A PV console and the xenstore connection are pages the guest shares with
// Dom0 (src/guest's hvc and xenbus drivers, xenconsoled and xenstored on the other side); an
// HVM guest's emulated serial port is QEMU's, with no page between the two ends.

/** The guest's end of a console: what it writes out, and the input it is given. */
export interface GuestConsole {
  guestWrite(data: string): void;
  onGuestInput(cb: (data: string) => void): void;
}

/** The backend's end of a console: the guest's output, and input for the guest. */
export interface ConsoleBackend {
  onOutput(cb: (data: string) => void): void;
  backendWrite(data: string): void;
}

/** An emulated serial port (QEMU's pty): the UART passes bytes straight between its two ends. */
export class SerialPort implements GuestConsole, ConsoleBackend {
  private outListeners: ((data: string) => void)[] = [];
  private inListener: (data: string) => void = () => {};

  guestWrite(data: string): void { for (const l of this.outListeners) l(data); }
  onGuestInput(cb: (data: string) => void): void { this.inListener = cb; }
  onOutput(cb: (data: string) => void): void { this.outListeners.push(cb); }
  backendWrite(data: string): void { this.inListener(data); }
}

/** The guest's xenstore transport: wire-format bytes both ways. */
export interface XenstoreRing {
  write(buf: Buffer): void;
  onData(cb: (buf: Buffer) => void): void;
  close(): void;
}
