// The xl.cfg tokeniser, behaving like libxlutil's flex scanner: same token classes, same
// longest-match choices, same line accounting and the same "lexical error" recovery (the bad
// text up to the next blank is reported and skipped; the parser never sees it).

export type TokenKind =
  | 'IDENT' | 'NUMBER' | 'STRING' | 'NEWLINE' | 'OP_ADD' | '=' | ';' | '[' | ']' | ',' | 'END';

export interface Token {
  kind: TokenKind;
  /** the matched text (yytext), used in error messages */
  text: string;
  /** decoded value for IDENT/NUMBER/STRING */
  value: string;
  /** the location line that libxlu attaches to the token */
  line: number;
  /** the scanner's line counter right after this token was matched (yylineno) */
  scanLine: number;
}

/** Where the lexer reports problems; the parser owns the policy (suppression by line). */
export interface LexSink {
  lexicalError(text: string, lineno: number, msg: string): void;
  likelyPython(): void;
}

const isLower = (c: string) => c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentRest = (c: string) => isLower(c) || isDigit(c) || c === '.' || c === '_';
const isNumberRest = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || c === 'x';

export class Lexer {
  private pos = 0;
  private lineno = 1;
  constructor(private readonly src: string, private readonly sink: LexSink) {}

  /** Current scanner line (yylineno). */
  get line(): number { return this.lineno; }

  next(): Token {
    const s = this.src;
    for (;;) {
      if (this.pos >= s.length) {
        // flex leaves the location untouched at EOF; the parser substitutes the previous one.
        return { kind: 'END', text: '\0', value: '', line: -1, scanLine: this.lineno };
      }
      const start = this.pos;
      const c = s[start];
      if (c === ' ' || c === '\t') { this.pos++; continue; }
      if (isLower(c)) {
        let e = start + 1;
        while (e < s.length && isIdentRest(s[e])) e++;
        return this.got('IDENT', start, e);
      }
      if (isDigit(c)) {
        let e = start + 1;
        while (e < s.length && isNumberRest(s[e])) e++;
        return this.got('NUMBER', start, e);
      }
      if (c === '+' && s[start + 1] === '=') return this.got('OP_ADD', start, start + 2);
      if (c === ',' || c === '[' || c === ']' || c === '=' || c === ';') return this.got(c, start, start + 1);
      if (c === '\n') {
        this.pos = start + 1;
        this.lineno++;
        return { kind: 'NEWLINE', text: '\n', value: '', line: this.lineno - 1, scanLine: this.lineno };
      }
      if (c === '#') {
        const nl = s.indexOf('\n', start);
        if (nl >= 0) {
          this.pos = nl + 1;
          this.lineno++;
          return { kind: 'NEWLINE', text: s.slice(start, nl + 1), value: '', line: this.lineno - 1, scanLine: this.lineno };
        }
        // a comment without a final newline is not a comment: it falls to the catch-all rule
      }
      if (c === '"' || c === "'") {
        const e = quotedEnd(s, start);
        if (e > 0) {
          const text = s.slice(start, e);
          this.pos = e;
          const value = this.dequote(text);
          return { kind: 'STRING', text, value, line: this.lineno, scanLine: this.lineno };
        }
      }
      // Catch-all: the offending character plus the rest of the word is one lexical error.
      if ('+-.():,'.includes(c)) this.sink.likelyPython();
      let e = start + 1;
      while (e < s.length && s[e] !== ' ' && s[e] !== '\t' && s[e] !== '\n') e++;
      if (e === start + 1 && e === s.length) {
        // flex hits end of input before the error rule can match: nothing is reported
        this.pos = e;
        continue;
      }
      if (e < s.length && s[e] === '\n' && e === start + 1) {
        // the error character is directly followed by a newline: reported with it, and the
        // newline still ends the statement
        this.pos = e + 1;
        this.lineno++;
        const text = s.slice(start, e + 1);
        this.sink.lexicalError(text, this.lineno, 'lexical error');
        return { kind: 'NEWLINE', text, value: '', line: this.lineno, scanLine: this.lineno };
      }
      this.pos = e;
      this.sink.lexicalError(s.slice(start, e), this.lineno, 'lexical error');
    }
  }

  private got(kind: TokenKind, start: number, end: number): Token {
    this.pos = end;
    const text = this.src.slice(start, end);
    return { kind, text, value: text, line: this.lineno, scanLine: this.lineno };
  }

  /** Decode a quoted string's escapes as libxlu does, including its quirks. */
  private dequote(text: string): string {
    let out = '';
    const end = text.length - 1;
    let p = 1;
    while (p < end) {
      const c = text[p++];
      if (c !== '\\') { out += c; continue; }
      const nc = text[p++];
      const simple: Record<string, string> = {
        '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
      };
      if (nc in simple) { out += simple[nc]; continue; }
      if (nc === 'x') {
        // libxlu skips one more character and then insists on more than two hex digits from a
        // two-character window: it can never succeed
        p++;
        this.sink.lexicalError(text, this.lineno, 'invalid digit after backslash hexnumerical character escape in quoted string');
        return out;
      }
      if (nc >= '0' && nc <= '7') {
        // a three-character window parsed in base 10 must yield more than one digit; the value
        // itself is dropped
        const win = text.slice(p, Math.min(p + 3, text.length));
        let n = 0;
        while (n < win.length && isDigit(win[n])) n++;
        if (n <= 1) {
          this.sink.lexicalError(text, this.lineno, 'invalid digit after backslash octalnumerical character escape in quoted string');
          return out;
        }
        p += n;
        continue;
      }
      this.sink.lexicalError(text, this.lineno, 'invalid character after backlash in quoted string');
      return out;
    }
    return out;
  }
}

/** End index (exclusive) of a quoted string starting at `start`, or -1 if it does not close on this line. */
function quotedEnd(s: string, start: number): number {
  const q = s[start];
  let p = start + 1;
  while (p < s.length) {
    const c = s[p];
    if (c === q) return p + 1;
    if (c === '\n') return -1;
    if (c === '\\') {
      if (p + 1 >= s.length || s[p + 1] === '\n') return -1;
      p += 2;
      continue;
    }
    p++;
  }
  return -1;
}
