// A bare xenstored on a socket, for tests and benchmarks before (and apart from) xenlabd:
//   node --import tsx src/dom0/xenstored/standalone.ts <socketpath> [journal file]
// Prints "ready" on stdout once the socket accepts connections; exits on SIGTERM/SIGINT.

import { Xenstored } from './index.ts';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: standalone.ts <socketpath> [journal file]\n');
  process.exit(2);
}
// No hypervisor here: domains 0..63 exist, as under the cxenstored oracle's shim.
const xs = new Xenstored({ log: line => process.stderr.write(`xenstored: ${line}\n`), journal: process.argv[3], domainExists: d => d < 64 });
await xs.listen(socketPath);
process.stdout.write('ready\n');
const stop = (): void => { void xs.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
