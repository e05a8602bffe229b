// vtpm-, vkb-, vdispl- and vsnd- attach/list/detach; channel-list.
import type { Handlers } from './context.ts';

export const vdevHandlers: Handlers = {
  'vdev.attach': async (host, a) => { await host.toolstack.attachVdev(host.toolstack.resolve(a.dom), a.kind, a.device); return {}; },
  'vdev.list': (host, a) => host.toolstack.listVdevs(host.toolstack.resolve(a.dom), a.kind),
  'channel.list': (host, a) => host.toolstack.listChannels(host.toolstack.resolve(a.dom)),
  'vdev.detach': async (host, a) => { await host.toolstack.detachVdev(host.toolstack.resolve(a.dom), a.kind, a.id); return {}; },
};
