// The guest's console shell through `xl console` on a real daemon (virtual clock): free, uptime
// and uname print procps' and coreutils' layouts for the guest's own numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { TestHost } from '../helpers/host.ts';
import { free } from '../../src/guest/free.ts';
import { guestMeminfo } from '../../src/guest/meminfo.ts';

test('free -m, uptime and uname -a in a guest\'s console', { timeout: 60_000 }, async () => {
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
    /** Type a line and collect what the console shows until the next prompt. */
    const type = async (line: string, prompt = 'root@shell:~# ') => {
      const from = seen.length;
      child.stdin!.write(line + '\r');
      while (!seen.slice(from).includes(prompt)) await new Promise<void>(r => waiters.push(r));
      const shown = seen.slice(from);
      return shown.slice(shown.indexOf('\r\n') + 2, shown.lastIndexOf(prompt)).replace(/\r\n/g, '\n');
    };
    while (!seen.includes('shell login: ')) await new Promise<void>(r => waiters.push(r));
    assert.equal(await type('root'), 'Linux shell 6.1.0-xenlab-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 x86_64\n');
    // 256 MiB, as the guest kernel counts it: in mebibytes, with all of procps 4's columns.
    assert.equal(await type('free -m'), free(['-m'], guestMeminfo(262144)).stdout);
    assert.match(await type('free'), /^ {15}total {8}used {8}free {6}shared  buff\/cache   available\nMem: +\d+ +\d+ +\d+ +\d+ +\d+ +\d+\nSwap: +0 +0 +0\n$/);
    // Two vCPUs half busy: one runnable task, ten minutes long, so the 1-minute average is 1.
    assert.match(await type('uptime'), /^ \d\d:\d\d:\d\d up 10 min, {2}1 user, {2}load average: 1\.00, 0\.8\d, 0\.4\d\n$/);
    assert.equal(await type('uptime -p'), 'up 10 minutes\n');
    assert.equal(await type('uname -a'), 'Linux shell 6.1.0-xenlab-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 x86_64 GNU/Linux\n');
    assert.equal(await type('uname -x'), "uname: invalid option -- 'x'\nTry 'uname --help' for more information.\n");
    child.stdin!.write(Buffer.from([0x1d]));
    assert.equal((await once(child, 'exit'))[0], 0);
  } finally { h.stop(); }
});
