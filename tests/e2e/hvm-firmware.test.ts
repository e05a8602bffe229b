// The HVM firmware is the one xl.cfg's bios= names (issue 12): hvmloader says which it loads
// and where, then hands over to it; SeaBIOS (qemu-xen's default) prints its own lines on the
// debug port, a release OVMF prints nothing there, and Linux then boots through EFI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start();
  h.xlOk('set-parameters', 'guest_loglvl=all');
});
after(() => h.stop());

/** The guest's debug-port lines in xl dmesg, without their (dN) prefix. */
function firmwareLines(name: string): string[] {
  const id = parseList(h.xlOk('list')).find(r => r.name === name)!.id;
  return h.xlOk('dmesg').split('\n').filter(l => l.startsWith(`(d${id}) `)).map(l => l.slice(`(d${id}) `.length));
}

async function serialText(name: string): Promise<string> {
  const child = h.spawn('xl', ['console', name]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d; if (/login: $/.test(out)) child.stdin!.write('\x1d'); });
  await once(child, 'exit');
  return out.replace(/\r\n/g, '\n');
}

test('bios="ovmf": hvmloader loads OVMF at the top of 4 GiB and invokes it; no SeaBIOS; Linux boots through EFI', async () => {
  h.xlOk('create', '-q', h.guestConfig('efi', 'type = "hvm"\nbios = "ovmf"\nserial = "pty"'));
  h.advance('3s');
  const lines = firmwareLines('efi');
  assert.equal(lines[0], 'HVM Loader');
  assert.ok(lines.includes('System requested OVMF'));
  assert.ok(lines.includes('Loading OVMF ...'));
  assert.ok(lines.includes(' ffe00000-ffffffff: Main BIOS'));
  assert.ok(lines.includes(' [01]: 00000000:000f0000 - 00000000:00100000: RESERVED'));
  assert.ok(!lines.includes('Creating MP tables ...'), 'OVMF builds its own MP information');
  assert.equal(lines.at(-1), 'Invoking OVMF ...');
  assert.ok(!lines.some(l => l.includes('SeaBIOS')));
  assert.match(await serialText('efi'), /\] efi: EFI v2\.70 by EDK II\n(?:.*\n)*.*\] DMI: Xen HVM domU/);
  h.xlOk('destroy', 'efi');
});

test('bios="seabios" (the default) keeps SeaBIOS, whose Linux has no EFI', async () => {
  h.xlOk('dmesg', '-c');
  h.xlOk('create', '-q', h.guestConfig('legacy', 'type = "hvm"\nbios = "seabios"\nserial = "pty"'));
  h.advance('3s');
  const lines = firmwareLines('legacy');
  assert.ok(lines.includes('System requested SeaBIOS'));
  assert.ok(lines.includes(' c0000-fffff: Main BIOS'));
  assert.ok(lines.includes('Invoking SeaBIOS ...'));
  assert.equal(lines.at(-1), 'Booting from 0000:7c00');
  assert.doesNotMatch(await serialText('legacy'), /efi:/);
  h.xlOk('destroy', 'legacy');
});
