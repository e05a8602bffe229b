// What the toolstack reports about the device classes beyond vif and vbd: libxl_<class>info
// for vtpm, vkb, vdispl, vsnd and channels, and libxl_usbctrlinfo with its ports. The control
// protocol carries them as they are.

export type VdevKind = 'vtpm' | 'vkb' | 'vdispl' | 'vsnd';
export const VDEV_KINDS: readonly VdevKind[] = ['vtpm', 'vkb', 'vdispl', 'vsnd'];

/** A ring's grant and event channel as libxl_<class>info reports them (-1 where xenstore has none). */
export interface VdevRing { rref: number; evtch: number }

/** libxl_<class>info plus the stored device (libxl_device_<class> JSON) the -list commands print. */
export interface VdevInfo {
  devid: number;
  backendId: number;
  frontendId: number;
  state: number;
  /** the device's own ring (vtpm's ring-ref, vkb's page-ref) */
  ring: VdevRing;
  backend: string;
  frontend: string;
  device: Record<string, unknown>;
  /** vdispl: be-alloc as the frontend sees it, and per connector its request and event rings */
  beAlloc?: number;
  connectors?: { unique_id: string; width: number; height: number; req: VdevRing; evt: VdevRing }[];
  /** vsnd: per pcm, per stream, the stream's ring */
  streams?: VdevRing[][];
}

/** libxl_channelinfo as channel-list prints it (-1 where xenstore has nothing). */
export interface ChannelInfo { devid: number; backendId: number; state: number; evtch: number; rref: number; connection: 'pty' | 'socket'; ptyPath?: string }

/** One controller as libxl_usbctrlinfo reports it, and what sits on each of its ports. */
export interface UsbctrlInfo {
  devid: number;
  type: 'pv' | 'qusb' | 'devicemodel';
  backendId: number;
  state: number;
  version: number;
  ports: number;
  /** per port (1..ports): the host device's bus and address, or null when the port is free */
  devices: ({ hostbus: number; hostaddr: number } | null)[];
}
