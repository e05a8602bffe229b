// xenlab-fault, a command of the guest's shell that exists on no real guest (a xenlab
// extension): it makes one of the guest's frontends misbehave, so that a user can watch what
// Dom0's backend does with a broken or hostile guest. The backend's reaction is the point:
// the device is closed and its error is in xenstore, while the guest and its other devices run on.
import { failure, output, type CommandResult } from './command.ts';

export const FAULTS = ['ring-overflow', 'bad-grant'] as const;
export type Fault = typeof FAULTS[number];

export interface FaultTarget {
  connectedDevice(kind: 'vif' | 'vbd', name: string): number | null;
  misbehave(fault: Fault, kind: 'vif' | 'vbd', devid: number): string | null;
}

const USAGE = `Usage: xenlab-fault FAULT vif INDEX | vbd DEVID|NAME
Make this guest's frontend misbehave on one device (a xenlab extension).
  ring-overflow  publish a request producer index past the end of the ring
  bad-grant      put a request naming a grant reference never granted on the ring
Example: xenlab-fault bad-grant vbd xvda
`;

export function xenlabFault(args: string[], target: FaultTarget): CommandResult {
  if (args[0] === '--help' || args[0] === '-h') return output(USAGE);
  const [fault, kind, name] = args;
  if (args.length !== 3 || !FAULTS.includes(fault as Fault) || (kind !== 'vif' && kind !== 'vbd')) return failure(USAGE, 2);
  const devid = target.connectedDevice(kind, name!);
  if (devid === null) return failure(`xenlab-fault: ${kind} ${name}: no such connected device\n`);
  const done = target.misbehave(fault as Fault, kind, devid);
  return done === null ? failure(`xenlab-fault: ${kind} ${name}: ring full, try again\n`) : output(`${kind} ${name}: ${done}\n`);
}
