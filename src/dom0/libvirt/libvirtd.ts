// libvirtd with its libxl driver, as a Dom0 service of the host: the remote program on
// run/libvirt/libvirt-sock (0600) and libvirt-sock-ro, the persistent domain configs under
// XENLAB_HOME/libvirt/libxl.
import { join } from 'node:path';
import { LibxlAdapter, type XenHost } from './libxl-adapter.ts';
import { LibxlDriver } from './libxl-driver.ts';
import { RemoteDriver } from './remote-driver.ts';
import { LibvirtServer } from './server.ts';

export async function startLibvirtd(host: XenHost, dirs: { home: string; sockets: string }, log: (l: string) => void): Promise<LibvirtServer> {
  const driver = new LibxlDriver(new LibxlAdapter(host), join(dirs.home, 'libvirt', 'libxl'));
  const run = join(dirs.sockets, 'run', 'libvirt');
  const server = new LibvirtServer(new RemoteDriver(driver, run), log);
  await server.listen(join(run, 'libvirt-sock'), join(run, 'libvirt-sock-ro'));
  return server;
}
