// `xl info` (xl_info.c print_info), pure: a list of `name : value` lines, filtered by a prefix.
import type { HostInfo } from '../../../protocol/host.ts';

/** What the build of Xen we emulate reports; the host-dependent parts come from HostInfo. */
const BUILD = {
  // Word 5 (CPUID 7.0 EBX) includes PQM and PQE: the CPU has Intel RDT (xl psr-hwinfo).
  hwCaps: 'bfebfbff:77fefbff:2c100800:00000121:0000000f:009cffbf:00000000:00000100',
  virtCaps: ' pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share gnttab-v1 gnttab-v2',
  xenCaps: 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64',
  pagesize: 4096,
  platformParams: 'virt_start=0xffff800000000000',
  compiler: 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0',
  compileBy: 'pkg-xen-devel',
  compileDomain: 'lists.alioth.debian.org',
  compileDate: 'Mon Nov  3 12:00:00 UTC 2025',
};

const line = (name: string, value: string | number) => `${name.padEnd(23)}: ${value}\n`;

function pad(n: number, w: number) { return String(n).padStart(w); }

function topologyLines(h: HostInfo): string {
  let t = 'cpu_topology           :\ncpu:    core    socket     node\n';
  h.cpuTopology.forEach((c, i) => { t += `${pad(i, 3)}:    ${pad(c.core, 4)}     ${pad(c.socket, 4)}     ${pad(c.node, 4)}\n`; });
  t += 'device topology        :\ndevice           node\nNo device topology data available\n';
  return t;
}

function numaLines(h: HostInfo): string {
  let t = 'numa_info              :\nnode:    memsize    memfree    distances\n';
  h.numa.forEach((n, i) => { t += `${pad(i, 4)}:    ${pad(n.memsizeMiB, 6)}     ${pad(n.memfreeMiB, 6)}      ${n.distances.join(',')}\n`; });
  return t;
}

/** The full `xl info [-n]` text, or with `field` only the values of the lines whose name starts with it. */
export function formatInfo(h: HostInfo, opts: { numa?: boolean; field?: string } = {}): string {
  const perMiB = (1 << 20) / BUILD.pagesize;
  const node = [
    line('host', h.host), line('release', h.release), line('version', h.version), line('machine', h.machine),
  ];
  const phys = [
    line('nr_cpus', h.nrCpus), line('max_cpu_id', h.maxCpuId), line('nr_nodes', h.nrNodes),
    line('cores_per_socket', h.coresPerSocket), line('threads_per_core', h.threadsPerCore),
    line('cpu_mhz', `${Math.floor(h.cpuKhz / 1000)}.${String(h.cpuKhz % 1000).padStart(3, '0')}`),
    line('hw_caps', BUILD.hwCaps),
    `${'virt_caps'.padEnd(23)}:${BUILD.virtCaps}\n`,
    line('total_memory', Math.floor(h.totalPages / perMiB)),
    line('free_memory', Math.floor((h.freePages - h.outstandingPages) / perMiB)),
    line('sharing_freed_memory', 0), line('sharing_used_memory', 0),
    line('outstanding_claims', Math.floor(h.outstandingPages / perMiB)),
    line('free_cpus', h.freeCpus),
  ];
  const xen = [
    line('xen_major', h.xenMajor), line('xen_minor', h.xenMinor), line('xen_extra', h.xenExtra),
    line('xen_version', `${h.xenMajor}.${h.xenMinor}${h.xenExtra}`), line('xen_caps', BUILD.xenCaps),
    line('xen_scheduler', h.scheduler), line('xen_pagesize', BUILD.pagesize),
    line('platform_params', BUILD.platformParams), line('xen_changeset', ''),
    line('xen_commandline', h.xenCommandline), line('cc_compiler', BUILD.compiler),
    line('cc_compile_by', BUILD.compileBy), line('cc_compile_domain', BUILD.compileDomain),
    line('cc_compile_date', BUILD.compileDate), line('build_id', ''),
    line('xend_config_format', 4),
  ];
  if (opts.numa) return [...node, ...phys].join('') + topologyLines(h) + numaLines(h) + xen.join('');
  const all = [...node, ...phys, ...xen];
  if (opts.field === undefined) return all.join('');
  // maybe_printf: a line whose text starts with the prefix prints what follows its first ": ".
  const f = opts.field;
  return all.filter(l => l.startsWith(f)).map(l => {
    const c = l.indexOf(':');
    return l[c + 1] === ' ' ? l.slice(c + 2) : '';
  }).join('');
}
