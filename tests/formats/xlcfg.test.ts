import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  PARSE_FAILURE_MESSAGE, applyOverrides, composeConfigText, getDefbool, getList, getLong, getString, getStringList,
  parseXlCfg, type XlCfg,
} from '../../src/formats/xlcfg/index.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function cfgOf(text: string, source = 't.cfg'): XlCfg {
  const r = parseXlCfg(text, source);
  if ('errors' in r) assert.fail(`unexpected parse failure: ${r.errors.join('\n')}`);
  return r.cfg;
}

// Each case was run through the real xl 4.17 (`xl -N create`); stderr lines recorded.
test('syntax and lexical errors match real xl, line numbers and recovery included', () => {
  const cases = JSON.parse(readFileSync(fixture('xlcfg-syntax-cases.json'), 'utf8')) as
    { text: string; parseFailed: boolean; stderr?: string[] }[];
  assert.ok(cases.length >= 50);
  for (const c of cases) {
    const r = parseXlCfg(c.text, 'c.cfg');
    if (!c.parseFailed) {
      assert.ok('cfg' in r, `expected ${JSON.stringify(c.text)} to parse`);
      continue;
    }
    assert.ok('errors' in r, `expected ${JSON.stringify(c.text)} to fail`);
    assert.deepEqual([...r.errors, PARSE_FAILURE_MESSAGE], c.stderr, JSON.stringify(c.text));
  }
});

test('values: strings, numbers kept as text, nested lists, comments, ; separators', () => {
  const cfg = cfgOf(`a=1\n\t b = [ "x" , 'y' ,\n ] ; c=0x1f;d=010\ne="q\\"\\t\\101z" # note\nf=[1,[2,3]]\n`);
  assert.deepEqual(cfg.toObject(), { a: '1', b: ['x', 'y'], c: '0x1f', d: '010', e: 'q"\tz', f: ['1', ['2', '3']] });
  const sink: string[] = [];
  assert.equal(getLong(cfg, 'c', sink), 31);
  assert.equal(getLong(cfg, 'd', sink), 8, 'a leading 0 is octal, as strtol(.., 0)');
  assert.deepEqual(getStringList(cfg, 'f', sink), ['1', null]);
  assert.deepEqual(sink, []);
});

test('the last assignment wins and += concatenates strings and lists', () => {
  const cfg = cfgOf('name="a"\nname="b"\nname+="c"\nl=["x"]\nl+=["y"]\nn+="fresh"\n');
  const sink: string[] = [];
  assert.equal(getString(cfg, 'name', sink), 'bc');
  assert.deepEqual(getStringList(cfg, 'l', sink), ['x', 'y']);
  assert.equal(getString(cfg, 'n', sink), 'fresh', '+= with no previous value acts as =');
});

test('getters warn exactly like libxlutil and then report the key as unusable', () => {
  const cfg = cfgOf('memory=[1]\nvcpus="two"\ncap=99999999999999999999\nw=5\nw+=6\nvif="x"\nb=0\n', 'g.cfg');
  const sink: string[] = [];
  assert.equal(getLong(cfg, 'memory', sink), undefined);
  assert.equal(getLong(cfg, 'vcpus', sink), undefined);
  assert.equal(getLong(cfg, 'cap', sink), undefined);
  assert.equal(getLong(cfg, 'w', sink), undefined);
  assert.equal(getList(cfg, 'vif', sink), undefined);
  assert.equal(getDefbool(cfg, 'b', sink), false);
  assert.equal(getLong(cfg, 'absent', sink), undefined);
  assert.deepEqual(sink, [
    "g.cfg:1: warning: parameter `memory' is a list but should be a single value",
    "g.cfg:2: warning: parameter `vcpus' is not a valid number",
    "g.cfg:3: warning: parameter `cap' could not be parsed as a number: Numerical result out of range",
    "g.cfg:5: warning: can't use += with numbers for parameter `w'",
    "g.cfg:6: warning: parameter `vif' is a single value but should be a list",
  ]);
  getLong(cfg, 'memory', sink, true);
  assert.equal(sink.length, 5, 'dontWarn suppresses the message');
});

test('command-line overrides are appended as lines after the file, as xl create does', () => {
  assert.equal(composeConfigText('a=1\nb=2', ['c=3', 'a+=4']), 'a=1\nb=2\nc=3\na+=4\n');
  const cfg = cfgOf('name="x"\nmemory=64\n', 'o.cfg');
  const r = applyOverrides(cfg, ['memory=128', 'name+="y"']);
  assert.ok('cfg' in r);
  assert.equal(getLong(r.cfg, 'memory', []), 128);
  assert.equal(getString(r.cfg, 'name', []), 'xy');
  // an error in an override is reported on the line it lands on (real xl: o.cfg:4)
  const bad = applyOverrides(cfg, ['c=x']);
  assert.ok('errors' in bad);
  assert.deepEqual(bad.errors, ["o.cfg:4: config parsing error near `x': syntax error, unexpected IDENT, expecting STRING or NUMBER or '['"]);
});

test('xl.conf: the Debian default file and the settings that feed domain configs', async () => {
  const { parseXlConf, DEFAULT_XL_CONF } = await import('../../src/formats/xlcfg/index.ts');
  const debian = readFileSync(fixture('xl.conf'), 'utf8');
  assert.deepEqual(parseXlConf(debian), { conf: DEFAULT_XL_CONF, stderr: '', fatal: false });
  const r = parseXlConf('autoballoon="off"\nvif.default.bridge="br9"\ndefaultbridge="old"\nclaim_mode=0\noutput_format="xml"\n', 'x.conf');
  assert.equal(r.conf.autoballoon, 'off');
  assert.deepEqual(r.conf.vifDefaults, { bridge: 'br9' });
  assert.equal(r.conf.claimMode, false);
  assert.equal(r.stderr, 'the global config option defaultbridge is deprecated, please switch to vif.default.bridge\n' +
    'invalid default output format "xml"\n');
  assert.equal(parseXlConf('x=', 'x.conf').fatal, true);
});
