// The spool that holds trace data while xentrace is behind (src/dom0/byte-spool.ts), over a
// real Unix socket whose reader stops reading: bytes queued at the tail, sent from the head as
// the kernel takes them, the rest handed to the stream; the reader gets every byte once, in
// order, and the chunks come back for reuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteSpool } from '../../src/dom0/byte-spool.ts';
import { socketFd } from '../../src/dom0/socket-write.ts';

async function pair(): Promise<{ writer: Socket; reader: Socket; close: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'spool-'));
  const path = join(dir, 's');
  const server = createServer();
  await new Promise<void>(r => server.listen(path, r));
  const accepted = new Promise<Socket>(r => server.once('connection', r));
  const writer = connect(path);
  await new Promise(r => writer.once('connect', r));
  const reader = await accepted;
  reader.pause();
  return { writer, reader, close: () => { writer.destroy(); reader.destroy(); server.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * Resolves once `done()` holds, looked at on each of `socket`'s `event`s. A deadline (10 s) turns
 * a hang into a failure that says what never came.
 */
function until(socket: Socket, event: 'data' | 'drain', done: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done()) { resolve(); return; }
    const check = (): void => { if (done()) { clearTimeout(timer); socket.off(event, check); resolve(); } };
    const timer = setTimeout(() => { socket.off(event, check); reject(new Error(`never came: ${what}`)); }, 10_000);
    socket.on(event, check);
  });
}

/** Bytes whose every position says where it belongs. */
const pattern = (from: number, n: number): Buffer => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (from + i) * 7 % 251; return b; };

test('a stopped reader gets every byte in order once it reads again; chunks are reused', async () => {
  const { writer, reader, close } = await pair();
  try {
    const fd = socketFd(writer);
    assert.ok(fd >= 0);
    const spool = new ByteSpool();
    const TOTAL = 6 * 1024 * 1024, PIECE = 70 * 1024;
    let made = 0, direct = 0;
    // As the trace handler does: send from the head, then queue the new bytes (half of them
    // written straight into the tail's room, half appended as copies).
    for (let k = 0; made < TOTAL; k++) {
      direct += Math.max(0, spool.writeNow(writer, fd));
      const n = Math.min(PIECE, TOTAL - made);
      if (k % 2) { const room = spool.room(n); pattern(made, n).copy(room); spool.commit(n); } else spool.append(pattern(made, n));
      made += n;
    }
    direct += spool.writeNow(writer, fd);
    assert.ok(direct > 0, 'the kernel took some bytes directly');
    assert.ok(spool.size > 0 && spool.size < TOTAL, `${spool.size} bytes wait`);
    assert.equal(direct + spool.size, TOTAL);
    const chunk = spool.room(1).buffer;
    spool.handOff(writer);
    assert.equal(spool.pending, false);
    const got: Buffer[] = [];
    let have = 0;
    reader.on('data', d => { got.push(d); have += d.length; });
    reader.resume();
    await until(reader, 'data', () => have >= TOTAL, `${TOTAL} bytes at the reader`);
    await new Promise(r => setImmediate(r));
    assert.equal(have, TOTAL);
    assert.ok(Buffer.concat(got).equals(pattern(0, TOTAL)), 'every byte once, in order');
    // The handed-off chunks came back: the next room is the last of them, not a new allocation.
    const next = spool.room(1).buffer;
    assert.equal(next, chunk, "the last chunk handed off is the first reused");
  } finally { close(); }
});

test('writeNow sends nothing while the stream has bytes of its own queued', async () => {
  const { writer, reader, close } = await pair();
  try {
    const fd = socketFd(writer);
    // Fill the kernel buffer, then queue more on the stream.
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    writer.write(big);
    assert.ok(writer.writableLength > 0);
    const spool = new ByteSpool();
    spool.append(Buffer.alloc(100, 2));
    assert.equal(spool.writeNow(writer, fd), 0);
    assert.equal(spool.size, 100);
    let have = 0;
    const got: Buffer[] = [];
    reader.on('data', d => { got.push(d); have += d.length; });
    reader.resume();
    await until(writer, 'drain', () => writer.writableLength === 0, "the stream's own bytes sent");
    assert.equal(spool.writeNow(writer, fd), 100);
    await until(reader, 'data', () => have >= big.length + 100, `${big.length + 100} bytes at the reader`);
    const all = Buffer.concat(got);
    assert.ok(all.subarray(0, big.length).every(b => b === 1) && all.subarray(big.length).every(b => b === 2));
  } finally { close(); }
});

test('bytes wait while the head chunk is partly sent and a new chunk holds fewer bytes than were sent', async () => {
  const { writer, reader, close } = await pair();
  try {
    const fd = socketFd(writer);
    const spool = new ByteSpool();
    // Nearly a whole chunk (1 MiB), of which the kernel takes some (the reader is stopped) ...
    const FIRST = 1024 * 1024 - 512, TOTAL = FIRST + 1024;
    spool.append(pattern(0, FIRST));
    const sent = spool.writeNow(writer, fd);
    assert.ok(sent > 1024 && sent < FIRST, `kernel took ${sent}`);
    // ... then fewer bytes than that, which do not fit and start a new chunk.
    spool.append(pattern(FIRST, 1024));
    assert.equal(spool.pending, true);
    assert.equal(spool.size, TOTAL - sent);
    spool.handOff(writer);
    const got: Buffer[] = [];
    let have = 0;
    reader.on('data', d => { got.push(d); have += d.length; });
    reader.resume();
    await until(reader, 'data', () => have >= TOTAL, `${TOTAL} bytes at the reader`);
    assert.equal(have, TOTAL);
    assert.ok(Buffer.concat(got).equals(pattern(0, TOTAL)), 'every byte once, in order');
  } finally { close(); }
});
