// Channels (channel= in xl.cfg): named consoles beyond the first, served by the domain's QEMU
// (libxl__init_console_from_channel, libxl__device_console_add). Channel N is console N+1:
// device/console/<N+1> in the guest's tree, backend/console/<domid>/<N+1> in Dom0's; QEMU
// connects it to a pty (whose path it publishes as the frontend's tty) or to a UNIX socket
// (output chardev:libxl-channel<N>). libxl_device_channel_getinfo reads them back.
import type { ChannelInfo } from './device-info.ts';
import { frontendPath, writeDevice } from './devices.ts';
import { LibxlError } from './errors.ts';
import type { Toolstack } from './toolstack.ts';

/** LIBXL_XENCONSOLE_LIMIT, LIBXL_XENCONSOLE_PROTOCOL */
const CONSOLE_LIMIT = '1048576', CONSOLE_PROTOCOL = 'vt100';

/** Every channel of the config, as consoles 1..N, at creation once QEMU runs. */
export async function plugChannels(ts: Toolstack, domid: number, config: Record<string, any>): Promise<void> {
  for (const ch of (config.channels ?? []) as Record<string, any>[]) {
    if (!ch.name) throw new LibxlError('EINVAL', `libxl: error: libxl_console.c:407:libxl__init_console_from_channel: channel ${ch.devid} has no name`, 3);
    const socket = ch['connection.socket'];
    const back: Record<string, string> = { protocol: CONSOLE_PROTOCOL, name: ch.name, connection: socket ? 'socket' : 'pty' };
    if (socket) back.path = socket.path;
    await writeDevice(ts.xs, 'console', domid, ch.devid + 1, back, { protocol: CONSOLE_PROTOCOL }, {
      name: ch.name, limit: CONSOLE_LIMIT, type: 'ioemu', output: socket ? `chardev:libxl-channel${ch.devid}` : 'pty', tty: '',
    });
  }
}

/** libxl_device_channel_list + getinfo. */
export async function listChannels(ts: Toolstack, domid: number): Promise<ChannelInfo[]> {
  const out: ChannelInfo[] = [];
  for (const ch of (ts.records.get(domid)?.config.channels ?? []) as Record<string, any>[]) {
    const fe = frontendPath('console', domid, ch.devid + 1);
    const read = (k: string) => ts.xs.read(`${fe}/${k}`).catch(() => null);
    const num = async (k: string) => { const v = await read(k); return v === null ? -1 : Number.parseInt(v, 10) || 0; };
    const pty = !ch['connection.socket'];
    out.push({ devid: ch.devid, backendId: 0, state: await num('state'), evtch: await num('port'), rref: await num('ring-ref'),
      connection: pty ? 'pty' : 'socket', ...(pty ? { ptyPath: await read('tty') ?? '/NO-SUCH-PATH' } : {}) });
  }
  return out;
}
