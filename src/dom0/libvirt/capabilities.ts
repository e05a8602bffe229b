// The capabilities XML of libvirt's libxl driver (libxlMakeCapabilities): the host CPU and
// topology, live migration over xenmigr, and the three guest kinds Xen runs (hvm, xen = PV,
// xenpvh) with their machines and loader.
export interface NodeFacts { hostname: string; cpus: number; nodes: number; cores: number; threads: number; totalKb: number }

export function capabilitiesXml(n: NodeFacts): string {
  const guest = (osType: string, arch: string, wordsize: number, machine: string, extra: string[]) => [
    '  <guest>', `    <os_type>${osType}</os_type>`, `    <arch name='${arch}'>`, `      <wordsize>${wordsize}</wordsize>`,
    ...(osType === 'hvm' ? ['      <emulator>/usr/lib/xen-4.17/bin/qemu-system-i386</emulator>', '      <loader>/usr/lib/xen-4.17/boot/hvmloader</loader>'] : []),
    `      <machine>${machine}</machine>`, "      <domain type='xen'/>", '    </arch>', '    <features>', ...extra, '    </features>', '  </guest>',
  ];
  const cpuIds = Array.from({ length: n.cpus }, (_, i) => i);
  const perNode = Math.ceil(n.cpus / n.nodes);
  const cells = Array.from({ length: n.nodes }, (_, node) => [
    `        <cell id='${node}'>`, `          <memory unit='KiB'>${Math.floor(n.totalKb / n.nodes)}</memory>`,
    `          <cpus num='${cpuIds.filter(c => Math.floor(c / perNode) === node).length}'>`,
    ...cpuIds.filter(c => Math.floor(c / perNode) === node).map(c => `            <cpu id='${c}' socket_id='${node}' die_id='0' core_id='${c % perNode}' siblings='${c}'/>`),
    '          </cpus>', '        </cell>',
  ]).flat();
  return [
    '<capabilities>', '', '  <host>', '    <cpu>', '      <arch>x86_64</arch>',
    `      <topology sockets='1' dies='1' cores='${n.cores}' threads='${n.threads}'/>`, '    </cpu>',
    '    <power_management/>', '    <iommu support=\'no\'/>', '    <migration_features>', '      <live/>', '      <uri_transports>',
    '        <uri_transport>xenmigr</uri_transport>', '      </uri_transports>', '    </migration_features>',
    '    <topology>', `      <cells num='${n.nodes}'>`, ...cells, '      </cells>', '    </topology>', '  </host>', '',
    ...guest('hvm', 'i686', 32, 'xenfv', ['      <pae/>', '      <nonpae/>', "      <acpi default='on' toggle='yes'/>", "      <apic default='on' toggle='no'/>", "      <hap default='on' toggle='yes'/>"]), '',
    ...guest('hvm', 'x86_64', 64, 'xenfv', ["      <acpi default='on' toggle='yes'/>", "      <apic default='on' toggle='no'/>", "      <hap default='on' toggle='yes'/>"]), '',
    ...guest('xen', 'i686', 32, 'xenpv', ['      <pae/>']), '',
    ...guest('xen', 'x86_64', 64, 'xenpv', []), '',
    ...guest('xenpvh', 'x86_64', 64, 'xenpvh', []), '',
    '</capabilities>', '',
  ].join('\n');
}
