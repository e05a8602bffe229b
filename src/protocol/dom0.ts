// Dom0's own requests (xenlab extensions): `xenlabd dom0 restart` restarts Dom0's kernel and
// services while the guests run on.

export interface Dom0Requests {
  /**
   * Answered once Dom0's services run again: the simulated time it took (ns, a decimal string),
   * the guests' devices it took down and how many of them are connected again.
   */
  'dom0.restart': { args: {}; result: { downNs: string; devices: number; connected: number } };
}
