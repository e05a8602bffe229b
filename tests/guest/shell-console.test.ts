// The guest's console shell through `xl console` on a real daemon (virtual clock): free, uptime
// and uname print procps' and coreutils' layouts for the guest's own numbers; free -s repeats
// over simulated time until Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { TestHost } from '../helpers/host.ts';
import { free } from '../../src/guest/free.ts';
import { guestMeminfo } from '../../src/guest/meminfo.ts';

test('free -m, free -c/-s, uptime and uname -a in a guest\'s console', { timeout: 60_000 }, async () => {
  const h = new TestHost().start(['--clock', 'virtual']);
  try {
    const cfg = join(h.home, 'shell.cfg');
    writeFileSync(cfg, 'name = "shell"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 2\nworkload = "cpu=50"\n');
    h.xlOk('create', '-q', cfg);
    h.advance('10m');
    const child = h.spawn('xl', ['console', 'shell']);
    let seen = '';
    const waiters: (() => void)[] = [];
    child.stdout!.on('data', d => { seen += d; for (const w of waiters.splice(0)) w(); });
    const shown = async (pred: () => boolean) => { while (!pred()) await new Promise<void>(r => waiters.push(r)); };
    /** Type a line and collect what the console shows until the next prompt. */
    const type = async (line: string, prompt = 'root@shell:~# ') => {
      const from = seen.length;
      child.stdin!.write(line + '\r');
      await shown(() => seen.slice(from).includes(prompt));
      const text = seen.slice(from);
      return text.slice(text.indexOf('\r\n') + 2, text.lastIndexOf(prompt)).replace(/\r\n/g, '\n');
    };
    await shown(() => seen.includes('shell login: '));
    assert.equal(await type('root'), 'Linux shell 6.1.0-41-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09) x86_64\n');
    // 256 MiB, as the guest kernel counts it: in mebibytes, with all of procps 4's columns.
    assert.equal(await type('free -m'), free(['-m'], guestMeminfo(262144)).stdout);
    assert.match(await type('free'), /^ {15}total {8}used {8}free {6}shared  buff\/cache   available\nMem: +\d+ +\d+ +\d+ +\d+ +\d+ +\d+\nSwap: +0 +0 +0\n$/);
    // Two vCPUs half busy: one runnable task, ten minutes long, so the 1-minute average is 1.
    assert.match(await type('uptime'), /^ \d\d:\d\d:\d\d up 10 min, {2}1 user, {2}load average: 1\.00, 0\.8\d, 0\.4\d\n$/);
    assert.equal(await type('uptime -p'), 'up 10 minutes\n');
    assert.equal(await type('uname -a'), 'Linux shell 6.1.0-41-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09) x86_64 GNU/Linux\n');
    assert.equal(await type('uname -x'), "uname: invalid option -- 'x'\nTry 'uname --help' for more information.\n");
    // free -c 2 -s 5: a table, a blank line, and the second table once 5 simulated seconds pass.
    const table = free([], guestMeminfo(262144)).stdout;
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const twice = type('free -c 2 -s 5');
    await shown(() => seen.endsWith(crlf(table + '\n')));
    h.advance('5s');
    assert.equal(await twice, `${table}\n${table}`);
    // free -s 1 runs until Ctrl-C, a table each simulated second.
    const from = seen.length;
    child.stdin!.write('free -s 1\r');
    await shown(() => seen.slice(from).includes(crlf(table)));
    h.advance('2500ms');
    await shown(() => seen.slice(from).split('total').length === 4);
    child.stdin!.write('\x03');
    await shown(() => seen.endsWith('^C\r\nroot@shell:~# '));
    assert.equal(seen.slice(from).replace(/\r\n/g, '\n'), `free -s 1\n${table}\n${table}\n${table}\n^C\nroot@shell:~# `);
    child.stdin!.write(Buffer.from([0x1d]));
    assert.equal((await once(child, 'exit'))[0], 0);
  } finally { h.stop(); }
});
