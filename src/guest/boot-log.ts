// What the emulated guest kernel prints while it boots: [seconds, line] pairs, simulated time.
import { kernelStamp } from './printk.ts';

export function bootLog(o: { name: string; type: 'pv' | 'pvh' | 'hvm'; vcpus: number; memMiB: number }): [number, string][] {
  const lines: [number, string][] = [
    [0.0, 'Linux version 6.1.0-xenlab-amd64 (xenlab@xenlab) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1'],
    [0.0, 'Command line: root=/dev/xvda1 ro console=hvc0'],
    [0.0, o.type === 'hvm' ? 'DMI: Xen HVM domU, BIOS 4.17.7 11/03/2025' : `Booting paravirtualized kernel on Xen ${o.type === 'pvh' ? 'PVH' : ''}`.trimEnd()],
    [0.0, 'Xen version: 4.17.7'],
    [0.0, `Memory: ${o.memMiB * 1024}K available`],
    [0.01, `smp: Bringing up secondary CPUs ...`],
    [0.02, `smp: Brought up 1 node, ${o.vcpus} CPU${o.vcpus === 1 ? '' : 's'}`],
    [0.2, 'xen:balloon: Initialising balloon driver'],
    [0.3, 'xen:grant_table: Grant tables using version 1 layout'],
    [0.5, 'Blkfront and Virtual Ethernet drivers ready'],
    [0.8, 'xen_netfront: Initialising Xen virtual ethernet driver'],
    [1.0, 'EXT4-fs (xvda1): mounted filesystem with ordered data mode. Quota mode: none.'],
    [1.2, 'Run /sbin/init as init process'],
    [1.5, `systemd[1]: Hostname set to <${o.name}>.`],
    [1.9, 'systemd[1]: Reached target Multi-User System.'],
  ];
  return lines.map(([s, l]) => [s, `${kernelStamp(s)} ${l}`]);
}

/** Seconds of simulated time a boot takes. */
export const BOOT_SECONDS = 2;
/** Seconds of simulated time a clean shutdown takes. */
export const SHUTDOWN_SECONDS = 1;
