// A machine file (xenlabd start --machine FILE, issue 16): the host it describes is the one
// built (its PCI bus with VFs enabled at boot, its name and CPUs), and a bad file is refused as
// a usage error naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

test('xenlabd start --machine FILE builds the host the file describes', () => {
  const other = new TestHost();
  try {
    const file = join(other.home, 'machine.json');
    writeFileSync(file, JSON.stringify({ hostname: 'lab2', cpus: 4, pci: [{ at: '00:00', part: 'intel-e3v3-host-bridge' }, { at: '05:00', part: 'intel-x710', sriov: [2] }], usb: [] }));
    other.start(['--clock', 'virtual', '--machine', file]);
    assert.equal(other.run('xenlabd', ['lspci']).stdout, [
      '00:00.0 Host bridge: Intel Corporation Xeon E3-1200 v3 Processor DRAM Controller (rev 06)',
      '05:00.0 Ethernet controller: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ (rev 02)',
      '05:02.0 Ethernet controller: Intel Corporation Ethernet Virtual Function 700 Series (rev 02)',
      '05:02.1 Ethernet controller: Intel Corporation Ethernet Virtual Function 700 Series (rev 02)', ''].join('\n'));
    assert.match(other.xlOk('info'), /^host +: lab2$/m);
    assert.match(other.xlOk('info'), /^nr_cpus +: 4$/m);
    // The IOMMU that passthrough needs: in virt_caps and in Xen's boot log.
    assert.match(other.xlOk('info'), /^virt_caps +: pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share gnttab-v1 gnttab-v2$/m);
    assert.match(other.xlOk('dmesg'), /^\(XEN\) I\/O virtualisation enabled$/m);
    writeFileSync(file, '{"pci": [{"at": "05:00", "part": "intel-x999"}]}');
    const bad = other.run('xenlabd', ['run', '--machine', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^xenlabd: machine file .*machine\.json: pci\[0\]\.part: unknown part "intel-x999"/);
  } finally { other.stop(); }
});
