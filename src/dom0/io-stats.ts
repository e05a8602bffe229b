// What the backends count per device, as xenstat reads it from Dom0 (xentop's NET and VBD columns).

export interface NetStats {
  id: number;
  /** Counted from dom0's side of the vif, as xenstat reads them: what the guest sends is RX. */
  txBytes: number; txPackets: number; txErrors: number; txDrops: number;
  rxBytes: number; rxPackets: number; rxErrors: number; rxDrops: number;
}

export interface VbdStats {
  /** Xen virtual device number (e.g. 51712 for xvda). */
  dev: number;
  /** 1 = blkback (vbd), 2 = tap, 3 = qdisk (xenstat back_type). */
  backType: number;
  ooReqs: number; rdReqs: number; wrReqs: number; rdSects: number; wrSects: number;
}
