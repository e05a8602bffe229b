// What Dom0's lspci -v says of one PCI function: the driver it is bound to now.
import type { TestHost } from './host.ts';

export function driverOf(h: TestHost, bdf: string): string {
  const v = h.run('xenlabd', ['lspci', '-v']).stdout;
  const block = v.slice(v.indexOf(`${bdf} `));
  return /Kernel driver in use: (\S+)/.exec(block.slice(0, block.indexOf('\n\n')))?.[1] ?? '';
}
