// Record type numbers and names of the libxl v2 and libxc v3 migration streams
// (docs/specs/libxl-migration-stream.pandoc, libxc-migration-stream.pandoc). Names are the ones
// verify-stream-v2 prints, so our diagnostics read like the real tool's.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** libxc sends at most this many pfns per PAGE_DATA record (MAX_BATCH_SIZE). */
export const MAX_BATCH_SIZE = 1024;

export const LIBXL_IDENT = 0x4c6962786c466d74n; // "LibxlFmt"
export const LIBXL_VERSION = 2;
export const LIBXC_MARKER = 0xffffffffffffffffn;
export const LIBXC_IDENT = 0x58454e46; // "XENF"
export const LIBXC_VERSION = 3;

export const LibxlRec = {
  END: 0x00,
  LIBXC_CONTEXT: 0x01,
  EMULATOR_XENSTORE_DATA: 0x02,
  EMULATOR_CONTEXT: 0x03,
  CHECKPOINT_END: 0x04,
  CHECKPOINT_STATE: 0x05,
} as const;

export const LIBXL_REC_NAMES: Record<number, string> = {
  0x00: 'End',
  0x01: 'Libxc context',
  0x02: 'Emulator xenstore data',
  0x03: 'Emulator context',
  0x04: 'Checkpoint end',
  0x05: 'Checkpoint state',
};

export const LibxcRec = {
  END: 0x00,
  PAGE_DATA: 0x01,
  X86_PV_INFO: 0x02,
  X86_PV_P2M_FRAMES: 0x03,
  X86_PV_VCPU_BASIC: 0x04,
  X86_PV_VCPU_EXTENDED: 0x05,
  X86_PV_VCPU_XSAVE: 0x06,
  SHARED_INFO: 0x07,
  X86_TSC_INFO: 0x08,
  HVM_CONTEXT: 0x09,
  HVM_PARAMS: 0x0a,
  TOOLSTACK: 0x0b,
  X86_PV_VCPU_MSRS: 0x0c,
  VERIFY: 0x0d,
  CHECKPOINT: 0x0e,
  CHECKPOINT_DIRTY_PFN_LIST: 0x0f,
  STATIC_DATA_END: 0x10,
  X86_CPUID_POLICY: 0x11,
  X86_MSR_POLICY: 0x12,
} as const;

export const LIBXC_REC_NAMES: Record<number, string> = {
  0x00: 'End',
  0x01: 'Page data',
  0x02: 'x86 PV info',
  0x03: 'x86 PV P2M frames',
  0x04: 'x86 PV vcpu basic',
  0x05: 'x86 PV vcpu extended',
  0x06: 'x86 PV vcpu xsave',
  0x07: 'Shared info',
  0x08: 'TSC info',
  0x09: 'HVM context',
  0x0a: 'HVM params',
  0x0b: 'Toolstack',
  0x0c: 'x86 PV vcpu msrs',
  0x0d: 'Verify',
  0x0e: 'Checkpoint',
  0x0f: 'Checkpoint dirty pfn list',
  0x10: 'Static data end',
  0x11: 'x86 CPUID policy',
  0x12: 'x86 MSR policy',
};

/** Record types at or above this are optional: a receiver may skip what it does not know. */
export const REC_TYPE_OPTIONAL = 0x80000000;

/** Domain header guest types. PVH guests travel as x86 HVM (they use the HVM save path). */
export const DHDR_TYPE_X86_PV = 1;
export const DHDR_TYPE_X86_HVM = 2;

/** libxl emulator ids. */
export const EMULATOR_UNKNOWN = 0;
export const EMULATOR_QEMU_TRADITIONAL = 1;
export const EMULATOR_QEMU_UPSTREAM = 2;

/**
 * Page types carried in the top nibble of each PAGE_DATA pfn (XEN_DOMCTL_PFINFO_* >> 28).
 * Pages of type BROKEN, XALLOC and XTAB carry no data in the stream.
 */
export const PageType = {
  NOTAB: 0x0,
  L1TAB: 0x1,
  L2TAB: 0x2,
  L3TAB: 0x3,
  L4TAB: 0x4,
  L1TAB_PINNED: 0x9,
  L2TAB_PINNED: 0xa,
  L3TAB_PINNED: 0xb,
  L4TAB_PINNED: 0xc,
  BROKEN: 0xd,
  XALLOC: 0xe,
  XTAB: 0xf,
} as const;

export function pageTypeHasData(type: number): boolean {
  return type <= 4 || (type >= 9 && type <= 0xc);
}
export function pageTypeValid(type: number): boolean {
  return type >= 0 && type <= 0xf && !(type >= 5 && type <= 8);
}
