import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDeviceDryRun, formatListLong, formatYajl } from '../../src/formats/libxl-json.ts';
import type { LibxlDomainConfig } from '../../src/formats/domain-config/index.ts';

test('yajl beautify layout: 4-space indent, empty containers with a blank line, final newline', () => {
  assert.equal(formatYajl({ a: {}, b: [], c: [1, 2], d: { e: 'x' } }),
    '{\n    "a": {\n\n    },\n    "b": [\n\n    ],\n    "c": [\n        1,\n        2\n    ],\n    "d": {\n        "e": "x"\n    }\n}\n');
  assert.equal(formatYajl({ s: 'q"\\/\n\t\x01é', t: true, u: undefined }), '{\n    "s": "q\\"\\\\/\\n\\t\\u0001é",\n    "t": true\n}\n');
});

test('device dry runs print "<label>: " then the document and one blank line', () => {
  assert.equal(formatDeviceDryRun('disk', { vdev: 'xvda' }), 'disk: {\n    "vdev": "xvda"\n}\n\n');
});

// The example of xl.md §2.2, produced there by the real libxl JSON generator.
const LIST_L = `[
    {
        "domid": 0,
        "config": {
            "c_info": {
                "type": "pv",
                "name": "Domain-0"
            },
            "b_info": {
                "max_memkb": 4194304,
                "target_memkb": 4194304,
                "sched_params": {
                    "sched": "credit2",
                    "weight": 256,
                    "cap": 0
                },
                "type.pv": {

                },
                "arch_arm": {

                },
                "arch_x86": {

                }
            }
        }
    },
    {
        "domid": 1,
        "config": {
            "c_info": {
                "type": "pv",
                "name": "web01",
                "uuid": "10111213-1415-1617-1819-1a1b1c1d1e1f",
                "run_hotplug_scripts": "True"
            },
            "b_info": {
                "max_vcpus": 2,
                "avail_vcpus": [
                    0,
                    1
                ],
                "max_memkb": 2097152,
                "target_memkb": 2097152,
                "video_memkb": 0,
                "sched_params": {
                    "sched": "credit2",
                    "weight": 256,
                    "cap": 0
                },
                "claim_mode": "True",
                "kernel": "/boot/vmlinuz",
                "cmdline": "root=/dev/xvda1",
                "type.pv": {

                },
                "arch_arm": {

                },
                "arch_x86": {

                }
            },
            "disks": [
                {
                    "pdev_path": "/dev/vg/web01",
                    "vdev": "xvda",
                    "backend": "phy",
                    "format": "raw",
                    "readwrite": 1
                }
            ],
            "nics": [
                {
                    "devid": 0,
                    "mac": "00:16:3e:5a:01:02",
                    "bridge": "xenbr0",
                    "nictype": "vif"
                }
            ],
            "on_reboot": "restart",
            "on_soft_reset": "soft_reset"
        }
    }
]

`;

test('xl list -l document: array of {domid, config}, ending with a blank line', () => {
  const sched = { sched: 'credit2', weight: 256, cap: 0 };
  const dom0: LibxlDomainConfig = {
    c_info: { type: 'pv', name: 'Domain-0' },
    b_info: { max_memkb: 4194304, target_memkb: 4194304, sched_params: sched, 'type.pv': {}, arch_arm: {}, arch_x86: {} },
  };
  const web01: LibxlDomainConfig = {
    c_info: { type: 'pv', name: 'web01', uuid: '10111213-1415-1617-1819-1a1b1c1d1e1f', run_hotplug_scripts: 'True' },
    b_info: {
      max_vcpus: 2, avail_vcpus: [0, 1], max_memkb: 2097152, target_memkb: 2097152, video_memkb: 0, sched_params: sched,
      claim_mode: 'True', kernel: '/boot/vmlinuz', cmdline: 'root=/dev/xvda1', 'type.pv': {}, arch_arm: {}, arch_x86: {},
    },
    disks: [{ pdev_path: '/dev/vg/web01', vdev: 'xvda', backend: 'phy', format: 'raw', readwrite: 1 }],
    nics: [{ devid: 0, mac: '00:16:3e:5a:01:02', bridge: 'xenbr0', nictype: 'vif' }],
    on_reboot: 'restart',
    on_soft_reset: 'soft_reset',
  };
  assert.equal(formatListLong([{ domid: 0, config: dom0 }, { domid: 1, config: web01 }]), LIST_L);
  assert.equal(formatListLong([]), '[\n\n]\n\n');
});
