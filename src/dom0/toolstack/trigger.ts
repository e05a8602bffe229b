// libxl_send_trigger: a trigger is a domctl, except s3resume, which wakes an HVM guest through
// its device model (QMP system_wakeup) and is refused for the other types. xl ignores the
// result, so a failure is only libxl's log line: the text returned here.
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import { HypervisorError } from '../../hypervisor/errors.ts';

/** libxl_trigger's names, as libxl_trigger_from_string takes them (case-insensitively). */
export const TRIGGERS = ['unknown', 'power', 'sleep', 'nmi', 'init', 'reset', 's3resume'] as const;
export type Trigger = typeof TRIGGERS[number];

const ERROR_INVAL = -6, ERROR_QMP_GENERIC_ERROR = -28;

export function sendTrigger(hv: Hypervisor, domid: number, trigger: Trigger, vcpu: number): string | null {
  if (trigger === 's3resume') return s3resume(hv, domid);
  try {
    // XEN_DOMCTL_SENDTRIGGER_* knows no "unknown": libxl fails it with EINVAL before any hypercall.
    if (trigger === 'unknown') throw new HypervisorError('EINVAL', 'Invalid argument');
    hv.sendTrigger(domid, trigger, vcpu);
    return null;
  } catch (e) {
    if (!(e instanceof HypervisorError)) throw e;
    return `libxl: error: libxl_domain.c:2207:libxl_send_trigger: Domain ${domid}:Send trigger '${trigger}' failed: ${e.message}`;
  }
}

function s3resume(hv: Hypervisor, domid: number): string | null {
  const failed = (rc: number): string => `libxl: error: libxl_domain.c:2162:domain_s3_resume_done: Domain ${domid}:Send trigger 's3resume' failed, rc=${rc}`;
  if (hv.domains.get(domid)?.type !== 'hvm') return failed(ERROR_INVAL);
  if (hv.s3Resume(domid)) return null;
  // QEMU refuses system_wakeup for a guest that is not suspended.
  return `libxl: error: libxl_qmp.c:1837:qmp_ev_parse_error_messages: Domain ${domid}:Unable to wake up: guest is not in suspended state\n${failed(ERROR_QMP_GENERIC_ERROR)}`;
}
