// The fault plane's requests (a xenlab extension, `xenlabd fault add|list|clear`): faults injected
// into the running host for a span of simulated time, each scoped to a domain and maybe a device.

/** One fault as listed: times are simulated nanoseconds (decimal strings); `endNs` null lasts until cleared. */
export interface FaultInfo {
  id: number;
  kind: string;
  domid: number;
  name: string | null;
  device: string | null;
  value: number | null;
  startNs: string;
  endNs: string | null;
}

export interface FaultRequests {
  /** `dom`: xl's qualifier; `device`: a vbd's vdev or devid, a vif's devid; `forNs`: the duration (absent: until cleared). */
  'fault.add': { args: { kind: string; dom: string; device?: string; value?: number; forNs?: string }; result: FaultInfo };
  'fault.list': { args: {}; result: { faults: FaultInfo[] } };
  /** One fault by id, or every fault (`all`). */
  'fault.clear': { args: { id?: number; all?: boolean }; result: { cleared: FaultInfo[] } };
}
