// The paravirtual device classes xl attaches, lists and detaches besides vif and vbd: vtpm, vkb,
// vdispl and vsnd (libxl_device_<class>_add/_list/_getinfo/_remove), and the channels' list.

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

export interface VdevRequests {
  'vdev.attach': { args: { dom: string; kind: VdevKind; device: Record<string, unknown> }; result: {} };
  'vdev.list': { args: { dom: string; kind: VdevKind }; result: VdevInfo[] };
  /** By devid (vtpm also by uuid). */
  'vdev.detach': { args: { dom: string; kind: VdevKind; id: string }; result: {} };
  'channel.list': { args: { dom: string }; result: ChannelInfo[] };
}
