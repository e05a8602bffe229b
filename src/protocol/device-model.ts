// What xl asks of a domain's device model (QEMU): an HMP command through QMP
// (libxl_qemu_monitor_command), and where its VNC server listens (libxl_vncviewer_exec).

export interface DeviceModelRequests {
  /** The HMP output, as QEMU returns it (CRLF line ends). */
  'dm.monitor': { args: { dom: string; command: string }; result: { output: string } };
  /** console/vnc-listen, vnc-port and (asked for) vnc-pass from xenstore; fails as libxl does without a vnc-port. */
  'dm.vnc': { args: { dom: string; autopass: boolean }; result: { listen: string; port: number; password: string | null } };
}
