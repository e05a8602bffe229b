// Requests for debugging guests: ACPI and NMI triggers (xl trigger, xl button-press) and the
// libxc calls xenctx makes (pause, vCPU contexts, foreign pages).

/** One vCPU for xenctx: whether it is up and its vcpu_guest_context_x86_64, hex-encoded. */
export interface VcpuContextEntry { vcpu: number; online: boolean; context: string }

export interface DebugRequests {
  /** libxl_send_trigger; a failure is libxl's log line with exit status 0 (xl ignores the result). */
  'domain.trigger': { args: { dom: string; trigger: string; vcpu: number }; result: {} };
  /** xc_domain_pause / xc_domain_unpause, failing with perror()'s text. */
  'xc.pause': { args: { domid: number; unpause: boolean }; result: {} };
  /**
   * xc_domain_getinfo and xc_vcpu_getcontext for each requested vCPU (all when `vcpu` is absent).
   * `guestWidth` is xc_domain_get_guest_width's answer in bytes.
   */
  'xc.vcpuContext': { args: { domid: number; vcpu?: number }; result: { hvm: boolean; guestWidth: number; vcpus: VcpuContextEntry[] } };
  /** xc_translate_foreign_address then xc_map_foreign_range: the guest page (hex) holding a kernel virtual address (decimal), or null. */
  'xc.guestPage': { args: { domid: number; vcpu: number; addr: string }; result: { data: string | null } };
}
