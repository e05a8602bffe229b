// libvirt's xen-xl converter: pairs of xl.cfg and domain XML from libvirt's own test data
// (tests/xlconfigdata, as libvirt 9.0 formats them) must convert both ways, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xlToDomainDef, domainDefToXl } from '../../src/formats/libvirt/xen-xl.ts';
import { formatDomainXml, parseDomainXml, DomainXmlError } from '../../src/formats/libvirt/domain-def.ts';

const DIR = join(import.meta.dirname, 'fixtures/xlconfig');
const PAIRS = ['test-paravirt-cmdline', 'test-pvh-type', 'test-max-gntframes'];

for (const name of PAIRS) {
  const cfg = readFileSync(join(DIR, `${name}.cfg`), 'utf8');
  const xml = readFileSync(join(DIR, `${name}.xml`), 'utf8');
  test(`${name}: xl.cfg → domain XML`, () => assert.equal(formatDomainXml(xlToDomainDef(cfg, `${name}.cfg`)), xml));
  test(`${name}: domain XML → xl.cfg`, () => assert.equal(domainDefToXl(parseDomainXml(xml)), cfg));
}

test('a vif without a MAC gets one in Xen\'s OUI; a config without a uuid gets a random one', () => {
  const d = xlToDomainDef('name = "a"\nvif = [ "" ]\n');
  assert.match(d.interfaces[0]!.mac!, /^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  assert.equal(d.interfaces[0]!.type, 'ethernet');
  assert.match(d.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
});

test('extra and root make the command line, as xen_common.c joins them', () => {
  assert.equal(xlToDomainDef('name = "a"\nroot = "/dev/xvda1"\nextra = "ro quiet"\n').cmdline, 'root=/dev/xvda1 ro quiet');
  assert.equal(xlToDomainDef('name = "a"\nextra = "root=/dev/xvda1"\n').cmdline, 'root=/dev/xvda1');
});

test('bad XML and unsupported types are refused with libvirt\'s reasons', () => {
  assert.throws(() => parseDomainXml('<domain type="xen"><name>x</name>'), (e: DomainXmlError) => e.kind === 'xml' && e.message === 'Premature end of data');
  assert.throws(() => parseDomainXml("<domain type='kvm'><name>x</name><memory>1</memory></domain>"), /virt type 'kvm' is not supported/);
  assert.throws(() => parseDomainXml("<domain type='xen'><memory>1</memory></domain>"), /missing name information/);
});

test('memory units scale as virScaleInteger does', () => {
  const d = parseDomainXml("<domain type='xen'><name>m</name><memory unit='GiB'>1</memory><currentMemory unit='MiB'>512</currentMemory></domain>");
  assert.equal(d.memoryKb, 1048576);
  assert.equal(d.currentMemoryKb, 524288);
});
