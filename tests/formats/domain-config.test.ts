import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, buildDomainConfig, configFromText, stderrText } from '../../src/formats/domain-config/index.ts';
import { parseXlCfg } from '../../src/formats/xlcfg/index.ts';
import { formatCreateDryRun } from '../../src/formats/libxl-json.ts';

const dir = new URL('./fixtures/configs/', import.meta.url);
const GENERATED = '00000000-0000-4000-8000-0000000000aa';

interface Case { file: string; overrides: string[]; stdout: string; stderr: string; exitCode: number }

/** What `xl -N create <file> <overrides>` prints, from our modules. */
function dryRunCreate(file: string, text: string, overrides: string[]) {
  const r = configFromText(text, overrides, { filename: file, generateUuid: () => GENERATED });
  const head = `Parsing config from ${file}\n`;
  if (!r.ok) return { stdout: "", stderr: head + stderrText(r.messages, r.unterminated), exitCode: r.exitCode };
  return { stdout: formatCreateDryRun(r.config), stderr: head + r.warnings.map(l => l + '\n').join(''), exitCode: 0 };
}

// Every expectation below was recorded from the real xl 4.17 (`xl -N create`), with a
// generated uuid replaced by a placeholder.
test('xl -N create: our configs, the xlexample files, overrides and error cases, byte for byte', () => {
  const cases = JSON.parse(readFileSync(new URL('./fixtures/create-dry-run-cases.json', import.meta.url), 'utf8')) as Case[];
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const text = readFileSync(new URL(c.file, dir), 'latin1');
    const got = dryRunCreate(c.file, text, c.overrides);
    got.stdout = got.stdout.replace(`"uuid": "${GENERATED}"`, '"uuid": "<generated>"');
    assert.deepEqual(got, { stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode }, `${c.file} ${c.overrides.join(' ')}`);
  }
});

test('the installed /etc/xen/xlexample.* files build as our fixture copies do', (t) => {
  for (const name of ['hvm', 'pvlinux', 'pvhlinux']) {
    const path = `/etc/xen/xlexample.${name}`;
    if (!existsSync(path)) { t.skip('xen-utils-common not installed'); return; }
    const ours = readFileSync(new URL(`xlexample.${name}.cfg`, dir), 'latin1');
    assert.equal(readFileSync(path, 'latin1'), ours, `${path} differs from the fixture copy`);
  }
});

test('workload is an extension: returned in extras, absent from the libxl JSON', () => {
  const r = configFromText('name="w"\nkernel="/k"\nworkload="cpu=70,dirty=2000,net-tx=5M"\n', [], { filename: 'w.cfg' });
  assert.ok(r.ok);
  assert.deepEqual(r.extras, { workload: 'cpu=70,dirty=2000,net-tx=5M' });
  assert.ok(!JSON.stringify(r.config).includes('workload'));
});

test('typed fields others read: type, vcpus, affinity, memory, sched, pool, devices, actions', () => {
  const text = readFileSync(new URL('pv-sched.cfg', dir), 'latin1');
  const r = configFromText(text, ['disk=["/x,,xvda"]', 'vif=["bridge=br0"]'], { filename: 'pv-sched.cfg' });
  assert.ok(r.ok);
  const c = r.config;
  assert.equal(c.c_info.type, 'pv');
  assert.equal(c.c_info.name, 'sched');
  assert.equal(c.c_info.uuid, '10111213-1415-1617-1819-1a1b1c1d1e1f');
  assert.equal(c.c_info.pool_name, 'fast');
  assert.equal(c.b_info.max_vcpus, 4);
  assert.deepEqual(c.b_info.avail_vcpus, [0, 1, 2, 3]);
  assert.deepEqual(c.b_info.vcpu_hard_affinity, [[0, 1, 3], [0, 1, 3], [0, 1, 3], [0, 1, 3]]);
  assert.deepEqual(c.b_info.vcpu_soft_affinity?.[3], [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(c.b_info.target_memkb, 262144);
  assert.deepEqual(c.b_info.sched_params, { weight: 512, cap: 0 });
  assert.equal(c.disks?.[0].pdev_path, '/x');
  assert.equal(c.nics?.[0].bridge, 'br0');
  assert.equal(c.on_crash, 'preserve');
  assert.equal(c.on_watchdog, 'restart_rename');
  assert.equal(c.on_soft_reset, undefined, 'destroy is the default and is not printed');
});

test('cpumaps follow the host size given', () => {
  const parsed = parseXlCfg('name="a"\nkernel="/k"\nvcpus=1\ncpus="all"\n', 'a.cfg');
  assert.ok('cfg' in parsed);
  const r = buildDomainConfig(parsed.cfg, { filename: 'a.cfg', host: { nrCpus: 12, nodeCpus: [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]] } });
  // libxl sizes cpumaps in whole bytes, so "all" on 12 pCPUs sets 16 bits, as real xl does
  assert.equal(r.config.b_info.vcpu_hard_affinity?.[0].length, 16);
});

test('failures throw ConfigError with every line printed so far and the exit code', () => {
  const parsed = parseXlCfg('name="x"\nkernel="/k"\nmemory="lots"\nvcpus=2\nmaxvcpus=1\n', 'e.cfg');
  assert.ok('cfg' in parsed);
  assert.throws(() => buildDomainConfig(parsed.cfg, { filename: 'e.cfg' }), (e: unknown) =>
    e instanceof ConfigError && e.exitCode === 1 && e.messages.length === 2 &&
    e.messages[0] === "e.cfg:3: warning: parameter `memory' is not a valid number" &&
    e.messages[1] === 'xl: maxvcpus < vcpus');
});

// Item by item, what the recorded corpus above also checks byte for byte (issue 12, item 11).
test('cpuid (both forms), vpmu, vuart, gic_version are kept; memory past 2^53 is exact', () => {
  const run = (body: string) => {
    const r = configFromText(`name="k"\nkernel="/k"\n${body}\n`, [], { filename: 'k.cfg', generateUuid: () => GENERATED });
    assert.ok(r.ok);
    return { json: formatCreateDryRun(r.config), warnings: r.warnings };
  };
  const flags = run('cpuid="host,tm=0,sse3=0,foo=1"');
  assert.deepEqual(flags.warnings, ['while parsing CPUID flag: "foo=1":', '  error #2: unknown CPUID flag name']);
  assert.match(flags.json, /"leaf": 1,\n\s+"ecx": "x{31}0",\n\s+"edx": "xx0x{29}"/);
  assert.match(run('cpuid=["7,0:ebx=xxxxxxxxxxxxxxxxxxxxxxxxxx0xxxxx"]').json, /"leaf": 7,\n\s+"subleaf": 0,\n\s+"ebx": "x{26}0x{5}"/);
  assert.match(run('vpmu=1').json, /"vpmu": "True"/);
  assert.match(run('vuart="sbsa_uart"\ngic_version="v3"').json, /"arch_arm": \{\n\s+"gic_version": "v3",\n\s+"vuart": "sbsa_uart"\n/);
  assert.match(run('memory=99999999999999').json, /"max_memkb": 102399999999998976,\n\s+"target_memkb": 102399999999998976,/);
});
