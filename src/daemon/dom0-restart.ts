// `xenlabd dom0 restart` (a xenlab extension): Dom0's kernel and services restart while Xen keeps
// every guest scheduled. Xen itself cannot do this — Dom0's death is the host's ("Domain 0
// crashed: rebooting machine") — so the model is a kexec of Dom0's kernel with xenstored's state
// carried over as its live update carries it:
// - going down, the backends close their devices (Closing; the frontends close; grants unmapped,
//   event channels unbound), xenconsoled lets the console pages go, Dom0's processes and their
//   xenstore connections die, and xenstored stops (the guests' requests wait in their pages);
// - Dom0's kernel boots for DOM0_KEXEC_BOOT_NS of simulated time, while the guests run on;
// - coming up, xenstored serves its kept tree again (open transactions and run-time quotas gone,
//   as after a live update), Dom0 rewrites its own keys, the backends and the toolstack start
//   with new connections, the toolstack re-initialises each device of the running guests (state
//   1, as libxl writes a new device: Linux's backends probe only those), the backends probe them,
//   the frontends connect again (new grants and event channels), and xenconsoled maps the
//   consoles again.
// Domain-0 the domain is not rebuilt: its domid, CPU time and `xl list` entry go on, while its
// kernel's own uptime (/proc/uptime, which `xl uptime` shows for Domain-0) starts again.
import type { Clock } from '../machine/clock.ts';
import type { BackendDriver } from '../dom0/backends/backend-driver.ts';
import type { Xenconsoled } from '../dom0/xenconsoled.ts';
import type { Xenstored } from '../dom0/xenstored/index.ts';
import type { XsClient } from '../formats/xenstore-client.ts';
import { DOM0_UTS } from '../dom0/dom0-kernel.ts';
import { settle } from './host.ts';

/** A kexec'd Dom0 kernel's boot, to the point where its services run again. */
export const DOM0_KEXEC_BOOT_NS = 3_000_000_000n;

/** Event-loop turns a handshake may take before it is given up on (each turn serves every pending reply). */
const MAX_TURNS = 500;

export interface Dom0Parts {
  clock: Clock;
  xenstored: Xenstored;
  xenconsoled: Xenconsoled;
  xenstoredSocket: string;
  backends(): BackendDriver[];
  /** Close every in-process xenstore connection of Dom0's services. */
  closeDom0Links(): void;
  /** Start the backends, Dom0's keys and the toolstack. */
  startServices(): Promise<void>;
  /** The toolstack's xenstore connection. */
  xs(): XsClient;
  /** Dom0's kernel log. */
  log(line: string): void;
}

export interface Dom0RestartResult { downNs: string; devices: number; connected: number }

/** Turn the event loop until `done` or MAX_TURNS. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < MAX_TURNS && !done(); i++) await settle();
}

/** The devices under Dom0's backend directories of these kinds, as paths. */
export async function backendDevices(xs: XsClient, kinds: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const kind of kinds) {
    const root = `/local/domain/0/backend/${kind}`;
    for (const domid of await xs.directory(root).catch(() => [] as string[])) {
      for (const devid of await xs.directory(`${root}/${domid}`).catch(() => [] as string[])) paths.push(`${root}/${domid}/${devid}`);
    }
  }
  return paths;
}

/**
 * The toolstack sets closed devices that are still wanted (online) back to Initialising, as libxl
 * writes a new device: Linux's backends probe only devices in that state.
 */
export async function reinitialise(xs: XsClient, paths: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (const path of paths) {
    const [online, state] = await Promise.all([xs.read(`${path}/online`).catch(() => null), xs.read(`${path}/state`).catch(() => null)]);
    if (online === '1' && state === '6' && await xs.write(`${path}/state`, '1').then(() => true, () => false)) done.push(path);
  }
  return done;
}

export async function restartDom0(p: Dom0Parts): Promise<Dom0RestartResult> {
  const start = p.clock.now();
  p.log('dom0: restart (kexec): stopping services');
  const drivers = p.backends();
  // The devices to take up again: those of the running guests (a crashed driver's too).
  const known = await backendDevices(p.xs(), drivers.map(d => d.kind));
  await Promise.all(drivers.map(d => d.shutdown()));
  await until(() => drivers.every(d => d.connectedCount === 0));
  for (const d of drivers) d.abandon();
  p.xenconsoled.crash();
  p.closeDom0Links();
  await p.xenstored.stopForDom0Restart();
  await new Promise<void>(resolve => p.clock.after(DOM0_KEXEC_BOOT_NS, resolve));
  p.log(`Linux version ${DOM0_UTS.release} (debian-kernel@lists.debian.org) ${DOM0_UTS.version}`);
  p.log('Booting kernel on Xen');
  await p.xenstored.startAfterDom0Restart(p.xenstoredSocket);
  await p.startServices();
  const xs = p.xs();
  const devices = await reinitialise(xs, known);
  p.xenconsoled.restart();
  const isUp = async (path: string): Promise<boolean> => await xs.read(`${path}/state`).catch(() => null) === '4';
  let connected = 0;
  for (let i = 0; i < MAX_TURNS; i++) {
    connected = (await Promise.all(devices.map(isUp))).filter(Boolean).length;
    if (connected === devices.length) break;
    await settle();
  }
  p.log(`dom0: restart done: ${connected} of ${devices.length} devices connected again`);
  return { downNs: (p.clock.now() - start).toString(), devices: devices.length, connected };
}
