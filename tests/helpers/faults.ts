// The fault plane from the command line, for the fault tests: `xenlabd fault add|list|clear`
// against a TestHost, and a guest's console log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHost } from './host.ts';

/** `xenlabd fault add ARGS`: the new fault's id. */
export function addFault(h: TestHost, ...args: string[]): number {
  const r = h.run('xenlabd', ['fault', 'add', ...args]);
  assert.equal(r.status, 0, `xenlabd fault add ${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stdout, /^\d+\n$/);
  return Number(r.stdout);
}

/** `xenlabd fault list`: its rows, split into columns (the header dropped). */
export function listFaults(h: TestHost): string[][] {
  const r = h.run('xenlabd', ['fault', 'list']);
  assert.equal(r.status, 0, r.stderr);
  const [header, ...rows] = r.stdout.trimEnd().split('\n');
  assert.match(header!, /^ID +KIND +DOMAIN +DEVICE +VALUE +START +END$/);
  return rows.map(l => l.split(/ +/));
}

export function clearFault(h: TestHost, ...args: string[]): void {
  const r = h.run('xenlabd', ['fault', 'clear', ...args]);
  assert.equal(r.status, 0, `xenlabd fault clear ${args.join(' ')}: ${r.stderr}`);
}

export const consoleLog = (h: TestHost, name: string): string => readFileSync(join(h.home, `logs/console/guest-${name}.log`), 'utf8');

/** Whether `xl list` shows the domain running or blocked (not crashed, not shut down). */
export function alive(h: TestHost, name: string): boolean {
  const line = h.xlOk('list', name).split('\n')[1] ?? '';
  return /\s[rb-]{2}-{4}\s/.test(line) && !/[sc]/.test(line.split(/\s+/)[4] ?? '');
}
