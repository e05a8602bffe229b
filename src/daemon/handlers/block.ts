// Dom0's block devices: the LVM commands (xenlabd lvcreate, lvs, ...) and CD-ROM media changes (xl cd-insert / cd-eject).
import type { Handlers } from './context.ts';
import { runLvmCommand, type LvmCommand } from '../../dom0/lvm/commands.ts';

export const blockHandlers: Handlers = {
  'lvm.run': (host, a) => runLvmCommand(host.blockDevices, a.command as LvmCommand, a.argv, a.answers),
  'cdrom.insert': async (host, a) => {
    const domid = host.toolstack.resolve(a.dom);
    await host.toolstack.cdromInsert(domid, a.vdev, a.target, a.format, a.cwd);
    return {};
  },
};
