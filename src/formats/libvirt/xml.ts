// A small XML reader for domain XML: elements, attributes, text and the five predefined
// entities (plus numeric ones); comments, processing instructions and the prolog are skipped.
// Errors name what libvirt's parser (libxml2) would complain about, briefly.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`Entity '${e}' not defined`);
    return v;
  });
}

export function escapeXml(s: string, attr = false): string {
  const t = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? t.replace(/'/g, '&apos;') : t;
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skip = (end: string) => {
    const j = text.indexOf(end, i);
    if (j < 0) throw new XmlError('Premature end of data');
    i = j + end.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (stack.length) stack[stack.length - 1]!.text += decode(chunk);
    else if (chunk.trim()) throw new XmlError(root ? 'Extra content at the end of the document' : "Start tag expected, '<' not found");
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) { skip('-->'); continue; }
    if (text.startsWith('<?', i)) { skip('?>'); continue; }
    if (text.startsWith('<![CDATA[', i)) {
      const j = text.indexOf(']]>', i);
      if (j < 0 || !stack.length) throw new XmlError('Premature end of data');
      stack[stack.length - 1]!.text += text.slice(i + 9, j);
      i = j + 3;
      continue;
    }
    if (text.startsWith('<!', i)) { skip('>'); continue; }
    if (text[i + 1] === '/') {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(text.slice(i));
      const open = stack.pop();
      if (!m || !open || open.name !== m[1]) throw new XmlError(`Opening and ending tag mismatch: ${open?.name ?? ''} and ${m?.[1] ?? ''}`);
      i += m[0].length;
      continue;
    }
    const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(text.slice(i));
    if (!m) throw new XmlError('Couldn\'t find end of Start Tag');
    if (root && !stack.length) throw new XmlError('Extra content at the end of the document');
    const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1]! in el.attrs) throw new XmlError(`Attribute ${a[1]} redefined`);
      el.attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
    }
    if (stack.length) stack[stack.length - 1]!.children.push(el); else root = el;
    if (!m[3]) stack.push(el);
    i += m[0].length;
  }
  if (stack.length || !root) throw new XmlError('Premature end of data');
  return root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined { return el.children.find(c => c.name === name); }
export function children(el: XmlElement, name: string): XmlElement[] { return el.children.filter(c => c.name === name); }
export function childText(el: XmlElement, name: string): string | undefined { const c = child(el, name); return c ? c.text.trim() : undefined; }
