// Value quoting of the xenstore tools (xs_lib's sanitise_value / unsanitise_value).

export function sanitiseValue(val: Buffer): string {
  let out = '';
  for (const c of val) {
    if (c >= 0x20 && c <= 0x7e && c !== 0x5c) { out += String.fromCharCode(c); continue; }
    switch (c) {
      case 0x09: out += '\\t'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x5c: out += '\\\\'; break;
      default: out += c < 8 ? '\\' + c.toString(8).padStart(3, '0') : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out;
}

const HEX = /^[0-9a-fA-F]{1,2}/;
const OCT = /^[0-7]{1,3}/;

/** Parses `\t \n \r \\ \xHH \NNN`; any other escaped character stands for itself. */
export function unsanitiseValue(input: Buffer): Buffer {
  const s = input.toString('latin1');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x5c) {
      const e = s[++i];
      if (e === undefined) { out.push(0); break; }
      c = e.charCodeAt(0);
      if (e === 't') c = 9;
      else if (e === 'n') c = 10;
      else if (e === 'r') c = 13;
      else if (e === 'x') {
        const m = HEX.exec(s.slice(i + 1));
        if (m) { c = parseInt(m[0], 16); i += m[0].length; }
      } else if (e >= '0' && e <= '7') {
        const m = OCT.exec(s.slice(i))!;
        c = parseInt(m[0], 8) & 0xff;
        i += m[0].length - 1;
      }
    }
    out.push(c);
  }
  return Buffer.from(out);
}
