// Remus network buffering (libxl_netbuffer.c with remus-netbuf-setup): a vif's ingress is
// redirected to an IFB device whose plug qdisc holds what the guest transmits. Each checkpoint
// inserts a plug (the epoch ends where the guest was suspended); once the backup holds the
// checkpoint, the buffer is released up to that plug. What the guest sent after the last
// committed checkpoint therefore never leaves the host if the primary dies.

/** What one vif's buffer has done, as `tc -s qdisc show dev ifbN` would count it. */
export interface NetbufStats {
  devid: number;
  /** The IFB device the vif's ingress goes through (remus-netbuf-setup's choice: ifb<domid>.<devid>). */
  ifb: string;
  /** Packets and bytes released to the bridge. */
  releasedPackets: number; releasedBytes: number;
  /** Packets and bytes held: the open epoch and the epochs waiting for their checkpoint's commit. */
  bufferedPackets: number; bufferedBytes: number;
}

interface Epoch { packets: number; bytes: number }

export class NetBuffer {
  private open: Epoch = { packets: 0, bytes: 0 };
  /** Closed by a checkpoint's suspend, released when that checkpoint is committed (oldest first). */
  private plugged: Epoch[] = [];
  private released: Epoch = { packets: 0, bytes: 0 };

  constructor(readonly domid: number, readonly devid: number) {}

  /** The guest transmitted: held in the current epoch. */
  hold(packets: number, bytes: number): void { this.open.packets += packets; this.open.bytes += bytes; }

  /** A checkpoint suspended the guest: what it sent so far belongs to that checkpoint. */
  plug(): void { this.plugged.push(this.open); this.open = { packets: 0, bytes: 0 }; }

  /** The backup holds the oldest plugged checkpoint: its output goes out. */
  release(): void {
    const e = this.plugged.shift();
    if (!e) return;
    this.released.packets += e.packets;
    this.released.bytes += e.bytes;
  }

  stats(): NetbufStats {
    const held = [this.open, ...this.plugged];
    return {
      devid: this.devid, ifb: `ifb${this.domid}.${this.devid}`,
      releasedPackets: this.released.packets, releasedBytes: this.released.bytes,
      bufferedPackets: held.reduce((a, e) => a + e.packets, 0), bufferedBytes: held.reduce((a, e) => a + e.bytes, 0),
    };
  }
}
