// Xen 4.17 trace event ids (xen/include/public/trace.h). An id is class (bits 16-27, one-hot),
// subclass (bits 12-15) and event (bits 0-11); xentrace masks on class and subclass.

// Classes.
export const TRC_GEN = 0x0001f000;
export const TRC_SCHED = 0x0002f000;
export const TRC_DOM0OP = 0x0004f000;
export const TRC_HVM = 0x0008f000;
export const TRC_MEM = 0x0010f000;
export const TRC_PV = 0x0020f000;
export const TRC_SHADOW = 0x0040f000;
export const TRC_HW = 0x0080f000;
export const TRC_GUEST = 0x0800f000;
export const TRC_ALL = 0x0ffff000;

// General.
export const TRC_LOST_RECORDS = TRC_GEN + 1;
export const TRC_TRACE_WRAP_BUFFER = TRC_GEN + 2;
export const TRC_TRACE_CPU_CHANGE = TRC_GEN + 3;
export const TRC_TRACE_IRQ = TRC_GEN + 4;

// Scheduler subclasses.
export const TRC_SCHED_MIN = 0x00021000;
export const TRC_SCHED_CLASS = 0x00022000;
export const TRC_SCHED_VERBOSE = 0x00028000;

/** Runstate change: add (old << 8) | (new << 4); one word (domid << 16) | vcpuid. */
export const TRC_SCHED_RUNSTATE_CHANGE = TRC_SCHED_MIN + 1;
export const TRC_SCHED_CONTINUE_RUNNING = TRC_SCHED_MIN + 2;
export const RUNSTATE_running = 0;
export const RUNSTATE_runnable = 1;
export const RUNSTATE_blocked = 2;
export const RUNSTATE_offline = 3;
export const runstateChangeEvent = (oldState: number, newState: number): number =>
  TRC_SCHED_RUNSTATE_CHANGE | (oldState << 8) | (newState << 4);

export const TRC_SCHED_DOM_ADD = TRC_SCHED_VERBOSE + 1;
export const TRC_SCHED_DOM_REM = TRC_SCHED_VERBOSE + 2;
export const TRC_SCHED_SLEEP = TRC_SCHED_VERBOSE + 3;
export const TRC_SCHED_WAKE = TRC_SCHED_VERBOSE + 4;
export const TRC_SCHED_YIELD = TRC_SCHED_VERBOSE + 5;
export const TRC_SCHED_BLOCK = TRC_SCHED_VERBOSE + 6;
export const TRC_SCHED_SHUTDOWN = TRC_SCHED_VERBOSE + 7;
export const TRC_SCHED_CTL = TRC_SCHED_VERBOSE + 8;
export const TRC_SCHED_ADJDOM = TRC_SCHED_VERBOSE + 9;
export const TRC_SCHED_SWITCH = TRC_SCHED_VERBOSE + 10;
export const TRC_SCHED_S_TIMER_FN = TRC_SCHED_VERBOSE + 11;
export const TRC_SCHED_T_TIMER_FN = TRC_SCHED_VERBOSE + 12;
export const TRC_SCHED_DOM_TIMER_FN = TRC_SCHED_VERBOSE + 13;
export const TRC_SCHED_SWITCH_INFPREV = TRC_SCHED_VERBOSE + 14;
export const TRC_SCHED_SWITCH_INFNEXT = TRC_SCHED_VERBOSE + 15;
export const TRC_SCHED_SHUTDOWN_CODE = TRC_SCHED_VERBOSE + 16;
export const TRC_SCHED_SWITCH_INFCONT = TRC_SCHED_VERBOSE + 17;

// Scheduler-specific events: TRC_SCHED_CLASS | (scheduler id << 9) | event.
export const TRC_SCHED_CSCHED = 0;
export const TRC_SCHED_CSCHED2 = 1;
export const TRC_SCHED_ARINC653 = 3;
export const TRC_SCHED_RTDS = 4;
export const TRC_SCHED_SNULL = 5;
export const schedClassEvent = (sched: number, ev: number): number => TRC_SCHED_CLASS | ((sched << 9) & 0xe00) | (ev & 0x1ff);

export const TRC_CSCHED2_TICK = schedClassEvent(TRC_SCHED_CSCHED2, 1);
export const TRC_CSCHED2_RUNQ_POS = schedClassEvent(TRC_SCHED_CSCHED2, 2);
export const TRC_CSCHED2_CREDIT_BURN = schedClassEvent(TRC_SCHED_CSCHED2, 3);
export const TRC_CSCHED2_CREDIT_ADD = schedClassEvent(TRC_SCHED_CSCHED2, 4);
export const TRC_CSCHED2_TICKLE_CHECK = schedClassEvent(TRC_SCHED_CSCHED2, 5);
export const TRC_CSCHED2_TICKLE = schedClassEvent(TRC_SCHED_CSCHED2, 6);
export const TRC_CSCHED2_CREDIT_RESET = schedClassEvent(TRC_SCHED_CSCHED2, 7);
export const TRC_CSCHED2_SCHED_TASKLET = schedClassEvent(TRC_SCHED_CSCHED2, 8);
export const TRC_CSCHED2_UPDATE_LOAD = schedClassEvent(TRC_SCHED_CSCHED2, 9);
export const TRC_CSCHED2_RUNQ_ASSIGN = schedClassEvent(TRC_SCHED_CSCHED2, 10);
export const TRC_CSCHED2_UPDATE_UNIT_LOAD = schedClassEvent(TRC_SCHED_CSCHED2, 11);
export const TRC_CSCHED2_UPDATE_RUNQ_LOAD = schedClassEvent(TRC_SCHED_CSCHED2, 12);
export const TRC_CSCHED2_TICKLE_NEW = schedClassEvent(TRC_SCHED_CSCHED2, 13);
export const TRC_CSCHED2_RUNQ_MAX_WEIGHT = schedClassEvent(TRC_SCHED_CSCHED2, 14);
export const TRC_CSCHED2_MIGRATE = schedClassEvent(TRC_SCHED_CSCHED2, 15);
export const TRC_CSCHED2_LOAD_CHECK = schedClassEvent(TRC_SCHED_CSCHED2, 16);
export const TRC_CSCHED2_LOAD_BALANCE = schedClassEvent(TRC_SCHED_CSCHED2, 17);
export const TRC_CSCHED2_PICKED_CPU = schedClassEvent(TRC_SCHED_CSCHED2, 19);
export const TRC_CSCHED2_RUNQ_CANDIDATE = schedClassEvent(TRC_SCHED_CSCHED2, 20);
export const TRC_CSCHED2_SCHEDULE = schedClassEvent(TRC_SCHED_CSCHED2, 21);
export const TRC_CSCHED2_RATELIMIT = schedClassEvent(TRC_SCHED_CSCHED2, 22);
export const TRC_CSCHED2_RUNQ_CAND_CHECK = schedClassEvent(TRC_SCHED_CSCHED2, 23);

// Domain operations (domain_create / domain_destroy).
export const TRC_DOM0_DOMOPS = 0x00041000;
export const TRC_DOM0_DOM_ADD = TRC_DOM0_DOMOPS + 1;
export const TRC_DOM0_DOM_REM = TRC_DOM0_DOMOPS + 2;

// Memory.
export const TRC_MEM_PAGE_GRANT_MAP = TRC_MEM + 1;
export const TRC_MEM_PAGE_GRANT_UNMAP = TRC_MEM + 2;
export const TRC_MEM_PAGE_GRANT_TRANSFER = TRC_MEM + 3;
export const TRC_MEM_SET_P2M_ENTRY = TRC_MEM + 4;
export const TRC_MEM_DECREASE_RESERVATION = TRC_MEM + 5;
export const TRC_MEM_POD_POPULATE = TRC_MEM + 16;
export const TRC_MEM_POD_ZERO_RECLAIM = TRC_MEM + 17;
export const TRC_MEM_POD_SUPERPAGE_SPLINTER = TRC_MEM + 18;

// PV guests. TRC_64_FLAG marks records carrying 64-bit values.
export const TRC_64_FLAG = 0x100;
export const TRC_PV_ENTRY = 0x00201000;
export const TRC_PV_SUBCALL = 0x00202000;
export const TRC_PV_HYPERCALL = TRC_PV_ENTRY + 1;
export const TRC_PV_TRAP = TRC_PV_ENTRY + 3;
export const TRC_PV_PAGE_FAULT = TRC_PV_ENTRY + 4;
export const TRC_PV_FORCED_INVALID_OP = TRC_PV_ENTRY + 5;
export const TRC_PV_EMULATE_PRIVOP = TRC_PV_ENTRY + 6;
export const TRC_PV_EMULATE_4GB = TRC_PV_ENTRY + 7;
export const TRC_PV_MATH_STATE_RESTORE = TRC_PV_ENTRY + 8;
export const TRC_PV_PAGING_FIXUP = TRC_PV_ENTRY + 9;
export const TRC_PV_GDT_LDT_MAPPING_FAULT = TRC_PV_ENTRY + 10;
export const TRC_PV_PTWR_EMULATION = TRC_PV_ENTRY + 11;
export const TRC_PV_PTWR_EMULATION_PAE = TRC_PV_ENTRY + 12;
export const TRC_PV_HYPERCALL_V2 = TRC_PV_ENTRY + 13;
export const TRC_PV_HYPERCALL_SUBCALL = TRC_PV_SUBCALL + 14;

// HVM guests.
export const TRC_HVM_ENTRYEXIT = 0x00081000;
export const TRC_HVM_HANDLER = 0x00082000;
export const TRC_HVM_EMUL = 0x00084000;
export const TRC_HVM_NESTEDFLAG = 0x400;
export const TRC_HVM_VMENTRY = TRC_HVM_ENTRYEXIT + 0x01;
export const TRC_HVM_VMEXIT = TRC_HVM_ENTRYEXIT + 0x02;
export const TRC_HVM_VMEXIT64 = TRC_HVM_ENTRYEXIT + TRC_64_FLAG + 0x02;
export const TRC_HVM_PF_XEN = TRC_HVM_HANDLER + 0x01;
export const TRC_HVM_PF_INJECT = TRC_HVM_HANDLER + 0x02;
export const TRC_HVM_INJ_EXC = TRC_HVM_HANDLER + 0x03;
export const TRC_HVM_INJ_VIRQ = TRC_HVM_HANDLER + 0x04;
export const TRC_HVM_REINJ_VIRQ = TRC_HVM_HANDLER + 0x05;
export const TRC_HVM_IO_READ = TRC_HVM_HANDLER + 0x06;
export const TRC_HVM_IO_WRITE = TRC_HVM_HANDLER + 0x07;
export const TRC_HVM_CR_READ = TRC_HVM_HANDLER + 0x08;
export const TRC_HVM_CR_WRITE = TRC_HVM_HANDLER + 0x09;
export const TRC_HVM_DR_READ = TRC_HVM_HANDLER + 0x0a;
export const TRC_HVM_DR_WRITE = TRC_HVM_HANDLER + 0x0b;
export const TRC_HVM_MSR_READ = TRC_HVM_HANDLER + 0x0c;
export const TRC_HVM_MSR_WRITE = TRC_HVM_HANDLER + 0x0d;
export const TRC_HVM_CPUID = TRC_HVM_HANDLER + 0x0e;
export const TRC_HVM_INTR = TRC_HVM_HANDLER + 0x0f;
export const TRC_HVM_NMI = TRC_HVM_HANDLER + 0x10;
export const TRC_HVM_SMI = TRC_HVM_HANDLER + 0x11;
export const TRC_HVM_VMMCALL = TRC_HVM_HANDLER + 0x12;
export const TRC_HVM_HLT = TRC_HVM_HANDLER + 0x13;
export const TRC_HVM_INVLPG = TRC_HVM_HANDLER + 0x14;
export const TRC_HVM_MCE = TRC_HVM_HANDLER + 0x15;
export const TRC_HVM_IOPORT_READ = TRC_HVM_HANDLER + 0x16;
export const TRC_HVM_IOMEM_READ = TRC_HVM_HANDLER + 0x17;
export const TRC_HVM_CLTS = TRC_HVM_HANDLER + 0x18;
export const TRC_HVM_LMSW = TRC_HVM_HANDLER + 0x19;
export const TRC_HVM_RDTSC = TRC_HVM_HANDLER + 0x1a;
export const TRC_HVM_INTR_WINDOW = TRC_HVM_HANDLER + 0x20;
export const TRC_HVM_NPF = TRC_HVM_HANDLER + 0x21;
export const TRC_HVM_IOPORT_WRITE = TRC_HVM_HANDLER + 0x216;
export const TRC_HVM_IOMEM_WRITE = TRC_HVM_HANDLER + 0x217;

// Hardware: power management and IRQs.
export const TRC_HW_PM = 0x00801000;
export const TRC_HW_IRQ = 0x00802000;
export const TRC_PM_FREQ_CHANGE = TRC_HW_PM + 0x01;
export const TRC_PM_IDLE_ENTRY = TRC_HW_PM + 0x02;
export const TRC_PM_IDLE_EXIT = TRC_HW_PM + 0x03;

/** DOMID_IDLE: the idle vCPU of pCPU n is d32767v<n>. */
export const DOMID_IDLE = 32767;

// credit (credit1), RTDS and null scheduler events (credit.c, rt.c, null.c).
export const TRC_CSCHED_SCHED_TASKLET = schedClassEvent(TRC_SCHED_CSCHED, 1);
export const TRC_CSCHED_ACCOUNT_START = schedClassEvent(TRC_SCHED_CSCHED, 2);
export const TRC_CSCHED_ACCOUNT_STOP = schedClassEvent(TRC_SCHED_CSCHED, 3);
export const TRC_CSCHED_STOLEN_UNIT = schedClassEvent(TRC_SCHED_CSCHED, 4);
export const TRC_CSCHED_PICKED_CPU = schedClassEvent(TRC_SCHED_CSCHED, 5);
export const TRC_CSCHED_TICKLE = schedClassEvent(TRC_SCHED_CSCHED, 6);
export const TRC_CSCHED_BOOST_START = schedClassEvent(TRC_SCHED_CSCHED, 7);
export const TRC_CSCHED_BOOST_END = schedClassEvent(TRC_SCHED_CSCHED, 8);
export const TRC_CSCHED_SCHEDULE = schedClassEvent(TRC_SCHED_CSCHED, 9);
export const TRC_CSCHED_RATELIMIT = schedClassEvent(TRC_SCHED_CSCHED, 10);
export const TRC_CSCHED_STEAL_CHECK = schedClassEvent(TRC_SCHED_CSCHED, 11);

export const TRC_RTDS_TICKLE = schedClassEvent(TRC_SCHED_RTDS, 1);
export const TRC_RTDS_RUNQ_PICK = schedClassEvent(TRC_SCHED_RTDS, 2);
export const TRC_RTDS_BUDGET_BURN = schedClassEvent(TRC_SCHED_RTDS, 3);
export const TRC_RTDS_BUDGET_REPLENISH = schedClassEvent(TRC_SCHED_RTDS, 4);
export const TRC_RTDS_SCHED_TASKLET = schedClassEvent(TRC_SCHED_RTDS, 5);
export const TRC_RTDS_SCHEDULE = schedClassEvent(TRC_SCHED_RTDS, 6);

export const TRC_SNULL_PICKED_CPU = schedClassEvent(TRC_SCHED_SNULL, 1);
export const TRC_SNULL_UNIT_ASSIGN = schedClassEvent(TRC_SCHED_SNULL, 2);
export const TRC_SNULL_UNIT_DEASSIGN = schedClassEvent(TRC_SCHED_SNULL, 3);
export const TRC_SNULL_MIGRATE = schedClassEvent(TRC_SCHED_SNULL, 4);
export const TRC_SNULL_SCHEDULE = schedClassEvent(TRC_SCHED_SNULL, 5);
export const TRC_SNULL_TASKLET = schedClassEvent(TRC_SCHED_SNULL, 6);
