// Requests for the host's PCI devices: passthrough (xl pci-*), the SR-IOV extension and the
// Dom0 views (xenlabd lspci / lsusb). A passthrough step that succeeded may still have logged
// libxl's warnings and notes, which the tool prints on stderr as xl does.

/** A function's address as libxl_device_pci holds it. */
export interface PciAddrInfo { domain: number; bus: number; dev: number; func: number }

export interface PciRequests {
  /** libxl_device_pci_assignable_add (with rebind, as xl asks); `device` is the parsed BDF with an optional name. */
  'pci.assignableAdd': { args: { device: Record<string, unknown> }; result: { log: string[] } };
  /** By `ident` as a name first, then as the BDF xl parsed from it (null: it is no BDF; `malformed` in the answer). */
  'pci.assignableRemove': { args: { ident: string; device: Record<string, unknown> | null; rebind: boolean }; result: { log: string[]; malformed?: boolean } };
  'pci.assignableList': { args: {}; result: (PciAddrInfo & { name?: string })[] };
  'pci.attach': { args: { dom: string; device: Record<string, unknown> }; result: { log: string[] } };
  'pci.detach': { args: { dom: string; device: Record<string, unknown>; force: boolean }; result: { log: string[] } };
  /** null: the domain has no PCI backend (xl then prints nothing). */
  'pci.list': { args: { dom: string }; result: (PciAddrInfo & { vdevfn: number })[] | null };
  /** xenlab extension: write a PF's sriov_numvfs. */
  'pci.sriov': { args: { pf: string; numVfs: number }; result: {} };
  /** xenlab extensions: what lspci [-nn] [-v] and lsusb print in Dom0. */
  'host.lspci': { args: { numeric: 0 | 1 | 2; verbose: boolean }; result: { text: string } };
  'host.lsusb': { args: {}; result: { text: string } };
}
