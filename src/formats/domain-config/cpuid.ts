// The cpuid= key (libxl_cpuid.c of Xen 4.17.7, as xl calls it from parse_config_data): the string
// form `host,flag=value,...` and the list form of xend (`"leaf[,subleaf]:eax=<32 chars>,..."`),
// giving the libxl_cpuid_policy_list that `create -n` prints as {"cpuid": [...], "msr": [...]}.

import { strtoul } from '../libc/strtol.ts';
import { type XlCfg, getList, getString, listItem } from '../xlcfg/config.ts';
import { FEATURE_BITS } from './cpuid-features.ts';

const UNUSED = 0xffffffff; // XEN_CPUID_INPUT_UNUSED: no subleaf
const REGS = ['eax', 'ebx', 'ecx', 'edx'] as const;
type Reg = typeof REGS[number];

interface CpuidEntry { leaf: number; subleaf: number; policy: Partial<Record<Reg, string>> }
interface MsrEntry { index: number; policy: string[] }

/** A field of a leaf: its register, first bit and width. */
interface Field { leaf: number; subleaf: number; reg: Reg; bit: number; length: number }

const f = (leaf: number, subleaf: number, reg: Reg, bit: number, length: number): Field => ({ leaf, subleaf, reg, bit, length });
const NA = UNUSED;

/** The named multi-bit fields and old names that libxl looks up before the feature names. */
const FIELDS: Record<string, Field> = {
  maxleaf: f(0, NA, 'eax', 0, 32), stepping: f(1, NA, 'eax', 0, 4), model: f(1, NA, 'eax', 4, 8),
  family: f(1, NA, 'eax', 8, 8), brandid: f(1, NA, 'ebx', 0, 8), clflush: f(1, NA, 'ebx', 8, 8),
  proccount: f(1, NA, 'ebx', 16, 8), localapicid: f(1, NA, 'ebx', 24, 8),
  est: f(1, NA, 'ecx', 7, 1), cntxid: f(1, NA, 'ecx', 10, 1), cmpxchg16: f(1, NA, 'ecx', 13, 1),
  sse4_1: f(1, NA, 'ecx', 19, 1), 'sse4.1': f(1, NA, 'ecx', 19, 1), sse4_2: f(1, NA, 'ecx', 20, 1),
  'sse4.2': f(1, NA, 'ecx', 20, 1), aes: f(1, NA, 'ecx', 25, 1),
  cmpxchg8: f(1, NA, 'edx', 8, 1), sysenter: f(1, NA, 'edx', 11, 1), psn: f(1, NA, 'edx', 18, 1),
  clfsh: f(1, NA, 'edx', 19, 1), tm: f(1, NA, 'edx', 29, 1), ia64: f(1, NA, 'edx', 30, 1), pbe: f(1, NA, 'edx', 31, 1),
  arat: f(6, NA, 'eax', 2, 1), tsc_adjust: f(7, 0, 'ebx', 1, 1), cmt: f(7, 0, 'ebx', 12, 1),
  lahfsahf: f(0x80000001, NA, 'ecx', 0, 1), cmplegacy: f(0x80000001, NA, 'ecx', 1, 1),
  altmovcr8: f(0x80000001, NA, 'ecx', 4, 1), nodeid: f(0x80000001, NA, 'ecx', 19, 1),
  perfctr_core: f(0x80000001, NA, 'ecx', 23, 1), perfctr_nb: f(0x80000001, NA, 'ecx', 24, 1),
  procpkg: f(4, 0, 'eax', 26, 6), invtsc: f(0x80000007, NA, 'edx', 8, 1),
  ppin: f(0x80000008, NA, 'ebx', 23, 1), 'btc-no': f(0x80000008, NA, 'ebx', 29, 1),
  nc: f(0x80000008, NA, 'ecx', 0, 8), apicidsize: f(0x80000008, NA, 'ecx', 12, 4),
  svm_npt: f(0x8000000a, NA, 'edx', 0, 1), svm_lbrv: f(0x8000000a, NA, 'edx', 1, 1),
  svm_nrips: f(0x8000000a, NA, 'edx', 3, 1), svm_tscrate: f(0x8000000a, NA, 'edx', 4, 1),
  svm_vmcbclean: f(0x8000000a, NA, 'edx', 5, 1), svm_decode: f(0x8000000a, NA, 'edx', 7, 1),
  svm_pausefilt: f(0x8000000a, NA, 'edx', 10, 1), 'lfence+': f(0x80000021, NA, 'eax', 2, 1),
  maxhvleaf: f(0x40000000, NA, 'eax', 0, 8),
};

/** Where each 32-bit word of the featureset lives: a CPUID register or half of an MSR. */
const FEATURE_WORDS: ({ leaf: number; subleaf: number; reg: Reg } | { msr: number; high: boolean })[] = [
  { leaf: 1, subleaf: NA, reg: 'edx' }, { leaf: 1, subleaf: NA, reg: 'ecx' },
  { leaf: 0x80000001, subleaf: NA, reg: 'edx' }, { leaf: 0x80000001, subleaf: NA, reg: 'ecx' },
  { leaf: 0xd, subleaf: 1, reg: 'eax' }, { leaf: 7, subleaf: 0, reg: 'ebx' }, { leaf: 7, subleaf: 0, reg: 'ecx' },
  { leaf: 0x80000007, subleaf: NA, reg: 'edx' }, { leaf: 0x80000008, subleaf: NA, reg: 'ebx' },
  { leaf: 7, subleaf: 0, reg: 'edx' }, { leaf: 7, subleaf: 1, reg: 'eax' }, { leaf: 0x80000021, subleaf: NA, reg: 'eax' },
  { leaf: 7, subleaf: 1, reg: 'ebx' }, { leaf: 7, subleaf: 2, reg: 'edx' }, { leaf: 7, subleaf: 1, reg: 'ecx' },
  { leaf: 7, subleaf: 1, reg: 'edx' }, { msr: 0x10a, high: false }, { msr: 0x10a, high: true },
  { leaf: 0x80000021, subleaf: NA, reg: 'ecx' },
];

export class CpuidPolicy {
  readonly cpuid: CpuidEntry[] = [];
  readonly msr: MsrEntry[] = [];

  /** cpuid_find_match: the entry of a leaf/subleaf, added (with no registers) when new. */
  entry(leaf: number, subleaf: number): CpuidEntry {
    let e = this.cpuid.find(x => x.leaf === leaf && x.subleaf === subleaf);
    if (!e) this.cpuid.push(e = { leaf, subleaf, policy: {} });
    return e;
  }

  msrEntry(index: number): MsrEntry {
    let e = this.msr.find(x => x.index === index);
    if (!e) this.msr.push(e = { index, policy: Array(64).fill('x') });
    return e;
  }

  /** libxl_cpuid_policy_list's JSON; absent when nothing was set. */
  toJson(): Record<string, unknown> | undefined {
    if (!this.cpuid.length && !this.msr.length) return undefined;
    return {
      cpuid: this.cpuid.map(e => {
        const o: Record<string, unknown> = { leaf: e.leaf };
        if (e.subleaf !== UNUSED) o.subleaf = e.subleaf;
        for (const r of REGS) if (e.policy[r] !== undefined) o[r] = e.policy[r];
        return o;
      }),
      msr: this.msr.map(e => ({ index: e.index, policy: e.policy.join('') })),
    };
  }
}

/** cpuid_add: write `val` (a number, or x/k/s for every bit) into one field. Returns 0 or 3. */
function addField(p: CpuidPolicy, name: string, fl: Field, val: string): number {
  const entry = p.entry(fl.leaf, fl.subleaf);
  const n = strtoul(val, 0);
  let num = n.end ? n.value : 0n;
  let bits: string;
  if (n.end) bits = Array.from({ length: fl.length }, (_, i) => ((num >> BigInt(fl.length - 1 - i)) & 1n ? '1' : '0')).join('');
  else if (val[0] === 'x' || val[0] === 'k' || val[0] === 's') bits = val[0].repeat(fl.length);
  else return 3;
  const res = (entry.policy[fl.reg] ?? 'x'.repeat(32)).split('');
  const put = (at: number, s: string) => res.splice(at, s.length, ...s);
  if (name === 'family') {
    // the family is split: 4 bits at 8, and an extended family of 8 bits at 20
    if (num < 16n) { put(32 - 4 - fl.bit, bits.slice(4, 8)); put(32 - 8 - 20, '00000000'); }
    else {
      num -= 15n;
      put(32 - 4 - fl.bit, '1111');
      const ext = bits.split('');
      for (let i = 0; i < 7; i++) { ext[7 - i] = num & 1n ? '1' : '0'; num >>= 1n; }
      put(32 - 8 - 20, ext.join(''));
    }
  } else if (name === 'model') {
    put(32 - 4 - 16, bits.slice(0, 4));
    put(32 - 4 - fl.bit, bits.slice(4, 8));
  } else {
    put(32 - fl.length - fl.bit, bits);
  }
  entry.policy[fl.reg] = res.join('');
  return 0;
}

/**
 * libxl_cpuid_parse_config: one `flag=value` of the string form. Returns libxl's code:
 * 0 ok, 1 no '=', 2 unknown flag, 3 bad value.
 */
export function parseCpuidFlag(p: CpuidPolicy, item: string): number {
  const eq = item.indexOf('=');
  if (eq < 0) return 1;
  const name = item.slice(0, eq);
  const val = item.slice(eq + 1);
  if (Object.hasOwn(FIELDS, name)) return addField(p, name, FIELDS[name], val);
  if (!Object.hasOwn(FEATURE_BITS, name)) return 2;
  const bit = FEATURE_BITS[name];
  const word = FEATURE_WORDS[Math.floor(bit / 32)];
  if ('leaf' in word) return addField(p, name, { ...word, bit: bit % 32, length: 1 }, val);
  const e = p.msrEntry(word.msr);
  // MSR bits take one character only; the deprecated 's' is stored as 'k'
  if (val.length !== 1 || !'01xks'.includes(val)) return 3;
  e.policy[63 - (bit % 32 + (word.high ? 32 : 0))] = val === 's' ? 'k' : val;
  return 0;
}

/**
 * libxl_cpuid_parse_config_xend: one list item `leaf[,subleaf]:eax=...,ebx=...`. Returns 0 ok,
 * 1 bad leaf, 2 bad subleaf, 3 no colon, 4 bad register name, 5 a value not 32 characters.
 */
export function parseCpuidXend(p: CpuidPolicy, item: string): number {
  const leafN = strtoul(item, 0);
  if (!leafN.end) return 1;
  let pos = leafN.end;
  let subleaf = UNUSED;
  if (item[pos] === ',') {
    const s = strtoul(item.slice(pos + 1), 0);
    if (!s.end) return 2;
    subleaf = Number(BigInt.asUintN(32, s.value));
    pos += 1 + s.end;
  }
  if (item[pos] !== ':') return 3;
  const entry = p.entry(Number(BigInt.asUintN(32, leafN.value)), subleaf);
  pos++;
  while (pos < item.length) {
    const r = item.charCodeAt(pos + 1) - 0x61;
    const eq = item.indexOf('=', pos);
    if (item[pos] !== 'e' || item[pos + 2] !== 'x' || r < 0 || r > 3 || eq < 0) return 4;
    const start = eq + 1;
    const comma = item.indexOf(',', start);
    const end = comma < 0 ? item.length : comma;
    if (end - start !== 32) return 5;
    entry.policy[REGS[r]] = item.slice(start, end);
    if (comma < 0) break;
    pos = comma + 1;
    while (item[pos] === ' ' || item[pos] === '\n') pos++;
  }
  return 0;
}

const XEND_ERRORS = ['', 'illegal leaf number', 'illegal subleaf number', 'missing colon',
  'invalid register name (must be e[abcd]x)', 'policy string must be exactly 32 characters long'];
const FLAG_ERRORS = ['', 'missing "=" in key=value', 'unknown CPUID flag name', 'illegal CPUID value (must be: [0|1|x|k|s])'];

/** xl's reading of cpuid=: a bad item is reported on stderr and skipped, never fatal. */
export function parseCpuidSetting(cfg: XlCfg, sink: string[]): Record<string, unknown> | undefined {
  const p = new CpuidPolicy();
  const list = getList(cfg, 'cpuid', sink, true);
  if (list) {
    for (let i = 0; ; i++) {
      const item = listItem(list, i);
      if (item === null) break;
      const e = parseCpuidXend(p, item);
      if (e) sink.push(`while parsing CPUID line: "${item}":`, `  error #${e}: ${XEND_ERRORS[e]}`);
    }
  } else if (cfg.has('cpuid')) {
    const buf = getString(cfg, 'cpuid', sink);
    const words = buf?.split(',').filter(w => w !== '') ?? [];
    if (words.length && words[0] !== 'host') {
      sink.push(`while parsing CPUID string: "${buf}":`, '  error: first word must be "host"');
    } else {
      for (const w of words.slice(1)) {
        const e = parseCpuidFlag(p, w);
        if (e) sink.push(`while parsing CPUID flag: "${w}":`, `  error #${e}: ${FLAG_ERRORS[e]}`);
      }
    }
  }
  return p.toJson();
}
