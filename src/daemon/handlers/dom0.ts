// `xenlabd dom0 restart` (a xenlab extension): see dom0-restart.ts.
import type { Handlers } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';

export const dom0Handlers: Handlers = {
  'dom0.restart': async host => {
    const r = await host.restartDom0();
    if (!r) throw new ToolError('EBUSY', 'xenlabd: Dom0 is restarting already', 1);
    return r;
  },
};
