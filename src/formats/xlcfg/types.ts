/** One value of an xl.cfg setting: an atom (numbers are kept as text) or a list. */
export type XlValue =
  | { kind: 'string'; value: string; line: number }
  | { kind: 'list'; items: XlValue[]; line: number };

/** One `name = value` (or `name += value`) statement, after `+=` has been folded in. */
export interface XlSetting {
  name: string;
  op: '=' | '+=';
  value: XlValue;
  /** line of the value, as libxlutil records it for warnings */
  line: number;
}
