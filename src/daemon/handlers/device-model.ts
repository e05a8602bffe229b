// qemu-monitor-command, and the look-up vncviewer makes before it runs a viewer.
import type { Handlers } from './context.ts';

export const deviceModelHandlers: Handlers = {
  'dm.monitor': async (host, a) => ({ output: await host.toolstack.qemuMonitorCommand(host.toolstack.resolve(a.dom), a.command) }),
  'dm.vnc': (host, a) => host.toolstack.vncInfo(host.toolstack.resolve(a.dom), a.autopass),
};
