// The toolstack's records index domains by name (libxl's duplicate-name check on every create,
// xl's name lookups). Whatever the sequence of creates, renames (to '' too, which may repeat),
// re-records and destroys, the index names the domain a scan of the records finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainRecords } from '../../src/dom0/toolstack/records.ts';

test('name lookups agree with a scan of the records through creates, renames, re-records and destroys', () => {
  const recs = new DomainRecords<{ domid: number; name: string }>();
  const scan = (name: string): number | undefined => { for (const r of recs.values()) if (r.name === name) return r.domid; return undefined; };
  const names = ['web', 'db', '', 'web--incoming', 'cache'];
  let seed = 7;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) % n; };
  let checked = 0;
  for (let step = 0; step < 2000; step++) {
    const domid = 1 + rnd(12), name = names[rnd(names.length)]!, rec = recs.get(domid);
    const op = rnd(4);
    if (op === 0 && !rec) recs.set(domid, { domid, name });
    else if (op === 1 && rec) recs.rename(rec, name);
    else if (op === 2 && rec) recs.set(domid, { domid, name: rec.name });
    else if (op === 3) recs.delete(domid);
    for (const n of names) { assert.equal(recs.domidOf(n), scan(n), `step ${step}, name '${n}'`); checked++; }
  }
  assert.ok(checked === 10_000 && recs.size > 0);
});
