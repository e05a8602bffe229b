// A command typed in a guest's console shell (`xl console`), logging in as root first if need
// be; its output up to the next prompt.
import { once } from 'node:events';
import type { TestHost } from './host.ts';

export async function guestShell(h: TestHost, dom: string, command: string): Promise<string> {
  const child = h.spawn('xl', ['console', dom]);
  let seen = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', d => { seen += d; for (const w of waiters.splice(0)) w(); });
  const until = async (test: (since: string) => boolean, from: number): Promise<void> => { while (!test(seen.slice(from))) await new Promise<void>(r => waiters.push(r)); };
  const prompt = `root@${dom}:~# `;
  let from = seen.length;
  child.stdin!.write('\r');
  await until(t => t.endsWith('login: ') || t.endsWith(prompt), from);
  if (seen.endsWith('login: ')) {
    from = seen.length;
    child.stdin!.write('root\r');
    await until(t => t.endsWith(prompt), from);
  }
  from = seen.length;
  child.stdin!.write(`${command}\r`);
  await until(t => t.includes(`${command}\r\n`) && t.endsWith(prompt), from);
  const text = seen.slice(from);
  child.stdin!.write(Buffer.from([0x1d]));
  await once(child, 'exit');
  const start = text.indexOf(`${command}\r\n`) + command.length + 2;
  return text.slice(start, text.lastIndexOf(prompt)).replace(/\r\n/g, '\n');
}

/** What `xl console` shows on attaching (the console's scroll-back: the boot log), up to the login prompt. */
export async function consoleScrollback(h: TestHost, dom: string): Promise<string> {
  const child = h.spawn('xl', ['console', dom]);
  let seen = '';
  await new Promise<void>(resolve => child.stdout!.on('data', d => { seen += d; if (seen.includes(' login: ')) resolve(); }));
  child.stdin!.write(Buffer.from([0x1d]));
  await once(child, 'exit');
  return seen.replace(/\r\n/g, '\n');
}
