// The one place where a failure becomes the control protocol's error: Dom0's LibxlError keeps
// its code, text and xl's exit status; anything else is the daemon's own failure.
import { ToolError } from '../protocol/wire.ts';
import { LibxlError } from '../dom0/toolstack/errors.ts';
import { XsError } from '../formats/xenstore-client.ts';

export function toolError(e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  if (e instanceof LibxlError) return new ToolError(e.code, e.message, e.exitCode);
  // xenstored refuses a change it cannot write to its journal (a full disk): nothing changed.
  if (e instanceof XsError && (e.code === 'ENOSPC' || e.code === 'EIO')) {
    return new ToolError(e.code, `xenlabd: xenstored cannot record the change: ${e.code === 'ENOSPC' ? 'no space left on device' : 'input/output error'}`, 1);
  }
  return new ToolError('EINTERNAL', `xenlabd: ${e instanceof Error ? e.message : String(e)}`, 1);
}
