// What differs between libxl's device types vtpm, vkb, vdispl and vsnd (its libxl__device_type
// structs): where the device lives in xenstore, the keys its set_xenstore_config writes, whether
// libxl waits for the backend's InitWait, and what its getinfo reads back.
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { VdevInfo, VdevKind, VdevRing } from './device-info.ts';

export type Keys = Record<string, string>;

export interface VdevClass {
  kind: VdevKind;
  /** the frontend's (and /libxl's) directory name: device/<xsKind>/<devid> */
  xsKind: string;
  /** the libxl_domain_config array holding these devices */
  configKey: string;
  /** backend/<name>/... (vkb's depends on its backend_type) */
  backendKind(dev: Record<string, any>): string;
  /** libxl__wait_device_connection waits for InitWait, except for QEMU's backends */
  waitsForBackend(dev: Record<string, any>): boolean;
  /** the setdefault hook: fill what libxl fills before writing xenstore */
  setDefault?(dev: Record<string, any>): void;
  /** set_xenstore_config: backend, frontend and read-only frontend keys */
  xenstore(dev: Record<string, any>): { back: Keys; front: Keys; roFront: Keys };
  /** the class's part of getinfo, read from the frontend directory */
  info?(read: (path: string) => Promise<number>, fe: string, dev: Record<string, any>, xs: XsClient): Promise<Partial<VdevInfo>>;
}

/** A ring's grant and channel keys under `dir`, -1 where absent. */
export async function readRing(read: (path: string) => Promise<number>, dir: string, ref: string, evtch: string): Promise<VdevRing> {
  return { rref: await read(`${dir}/${ref}`), evtch: await read(`${dir}/${evtch}`) };
}
