// The Dom0 services the fault plane can crash (dom0-service-crash), what a crash does to each, and
// how each comes back when the fault ends (as systemd's Restart= or the admin brings it back):
// - xenconsoled, a daemon: the consoles' pages are let go, so the guests' console output waits
//   in their rings and `xl console` cannot attach; restarted, it maps them again and logs what
//   waited;
// - netback or blkback, kernel drivers: as on their removal, every device they serve goes Closed
//   and the guests' frontends close (5, then 6); loaded again, the toolstack sets the devices
//   back to Initialising and they connect again.
import type { BackendDriver } from '../dom0/backends/backend-driver.ts';
import type { Xenconsoled } from '../dom0/xenconsoled.ts';
import type { XsClient } from '../formats/xenstore-client.ts';
import { backendDevices, reinitialise } from './dom0-restart.ts';

export const DOM0_SERVICES = ['xenconsoled', 'netback', 'blkback'] as const;
export type Dom0Service = (typeof DOM0_SERVICES)[number];
export const isDom0Service = (s: string): s is Dom0Service => (DOM0_SERVICES as readonly string[]).includes(s);

export interface Dom0ServiceParts {
  xenconsoled: Xenconsoled;
  driver(service: 'netback' | 'blkback'): BackendDriver;
  /** The toolstack's xenstore connection. */
  xs(): XsClient;
  log(line: string): void;
}

export function crashService(p: Dom0ServiceParts, service: Dom0Service): void {
  p.log(`dom0: ${service} crashed`);
  if (service === 'xenconsoled') p.xenconsoled.crash();
  else p.driver(service).crash();
}

export async function restartService(p: Dom0ServiceParts, service: Dom0Service): Promise<void> {
  p.log(`dom0: ${service} started again`);
  if (service === 'xenconsoled') { p.xenconsoled.restart(); return; }
  const driver = p.driver(service);
  await driver.reload();
  await reinitialise(p.xs(), await backendDevices(p.xs(), [driver.kind]));
}
