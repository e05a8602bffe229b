// Requests for debugging guests: ACPI and NMI triggers (xl trigger, xl button-press) and the
// vCPU register state xenctx prints.

/** One vCPU for xenctx: whether it is up and its vcpu_guest_context_x86_64, hex-encoded. */
export interface VcpuContextEntry { vcpu: number; online: boolean; context: string }

export interface DebugRequests {
  /** libxl_send_trigger; a failure is libxl's log line with exit status 0 (xl ignores the result). */
  'domain.trigger': { args: { dom: string; trigger: string; vcpu: number }; result: {} };
  /**
   * xenctx: pause the domain, take each requested vCPU's context (all when `vcpu` is absent),
   * unpause. `guestWidth` is xc_domain_get_guest_width's answer in bytes.
   */
  'domain.vcpuContext': { args: { domid: number; vcpu?: number }; result: { hvm: boolean; guestWidth: number; vcpus: VcpuContextEntry[] } };
}
