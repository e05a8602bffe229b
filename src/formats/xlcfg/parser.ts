// The xl.cfg grammar, driven like libxlutil's bison parser: the same points where a syntax
// error is detected, the same "expecting" lists, and the same recovery (skip to the end of the
// line when inside a statement, give up when the error follows a complete assignment).

import { Lexer, type Token, type TokenKind } from './lexer.ts';
import type { XlSetting, XlValue } from './types.ts';

const TOKEN_NAME: Record<TokenKind, string> = {
  IDENT: 'IDENT', NUMBER: 'NUMBER', STRING: 'STRING', NEWLINE: 'NEWLINE', OP_ADD: '+=',
  '=': "'='", ';': "';'", '[': "'['", ']': "']'", ',': "','", END: '$end',
};

export interface ParseOutcome {
  settings: XlSetting[];
  /** lines libxlutil writes to its report stream; non-empty only on failure */
  errors: string[];
  failed: boolean;
}

class Abort extends Error {}
class SyntaxFailure extends Error {}

export function parseText(text: string, source: string): ParseOutcome {
  return new Parser(text, source).run();
}

class Parser {
  private readonly lexer: Lexer;
  private la: Token | null = null;
  private lastLine = 1;
  private lastText = '';
  private errstatus = 0;
  private failed = false;
  private python = false;
  private lexErrLine = -1;
  private readonly report: string[] = [];
  private readonly settings: XlSetting[] = [];

  constructor(text: string, private readonly source: string) {
    this.lexer = new Lexer(text, {
      lexicalError: (t, line, msg) => this.lexicalError(t, line, msg),
      likelyPython: () => { this.python = true; },
    });
  }

  run(): ParseOutcome {
    try {
      this.statements();
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    if (this.failed && this.python) {
      this.report.push(
        'warning: Config file looks like it contains Python code.',
        'warning:  Arbitrary Python is no longer supported.',
        'warning:  See https://wiki.xen.org/wiki/PythonInXlConfig',
      );
    }
    return { settings: this.failed ? [] : this.settings, errors: this.report, failed: this.failed };
  }

  private peek(): Token {
    if (!this.la) {
      const t = this.lexer.next();
      // at end of input the location (and so the reported line) stays that of the previous token
      if (t.kind === 'END') t.line = this.lastLine;
      else { this.lastLine = t.line; }
      this.lastText = t.text;
      this.la = t;
    }
    return this.la;
  }

  private shift(): Token {
    const t = this.peek();
    this.la = null;
    if (this.errstatus > 0) this.errstatus--;
    return t;
  }

  private statements(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'END') return;
      if (t.kind === 'NEWLINE' || t.kind === ';') { this.shift(); continue; }
      if (t.kind !== 'IDENT') {
        this.syntaxError(t, ['END', 'IDENT', 'NEWLINE', ';']);
        this.recover();
        continue;
      }
      try {
        this.assignment();
      } catch (e) {
        if (!(e instanceof SyntaxFailure)) throw e;
        this.recover();
        continue;
      }
      const after = this.peek();
      if (after.kind === 'NEWLINE' || after.kind === ';') { this.shift(); continue; }
      if (after.kind === 'END') return;
      // the last assignment of the file has been reduced: only the end may follow, and no
      // state on the stack can recover
      this.syntaxError(after, ['END']);
      throw new Abort();
    }
  }

  /** Bison's error recovery through `stmt: error NEWLINE`. */
  private recover(): void {
    if (this.errstatus === 3) {
      if (this.peek().kind === 'END') throw new Abort();
      this.la = null;
    }
    this.errstatus = 3;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'NEWLINE') { this.shift(); return; }
      if (t.kind === 'END') throw new Abort();
      this.la = null;
    }
  }

  private assignment(): void {
    const ident = this.shift();
    const op = this.peek();
    if (op.kind !== '=' && op.kind !== 'OP_ADD') {
      this.syntaxError(op, ['OP_ADD', '=']);
      throw new SyntaxFailure();
    }
    this.shift();
    const value = this.value();
    this.store(ident.value, op.kind === 'OP_ADD' ? '+=' : '=', value);
  }

  private value(): XlValue {
    const t = this.peek();
    if (t.kind === 'STRING' || t.kind === 'NUMBER') {
      this.shift();
      return { kind: 'string', value: t.value, line: t.line };
    }
    if (t.kind !== '[') {
      this.syntaxError(t, ['STRING', 'NUMBER', '[']);
      throw new SyntaxFailure();
    }
    this.shift();
    const items: XlValue[] = [];
    this.newlines();
    while (startsValue(this.peek())) {
      items.push(this.value());
      this.newlines();
      if (this.peek().kind !== ',') break;
      this.shift();
      this.newlines();
    }
    const close = this.peek();
    if (close.kind !== ']') {
      this.syntaxError(close, [']']);
      throw new SyntaxFailure();
    }
    this.shift();
    return { kind: 'list', items, line: t.line };
  }

  private newlines(): void {
    while (this.peek().kind === 'NEWLINE') this.shift();
  }

  private store(name: string, op: '=' | '+=', value: XlValue): void {
    if (this.failed) return;
    if (op === '+=') {
      const prev = findLast(this.settings, name);
      if (prev) {
        if (prev.value.kind !== value.kind) {
          // reported like a lexical error, at the scanner's current position
          this.lexicalError(this.lastText, this.lexer.line, `can't add [list] to "string" or vice versa`);
          return;
        }
        if (prev.value.kind === 'string' && value.kind === 'string') value = { ...value, value: prev.value.value + value.value };
        else if (prev.value.kind === 'list' && value.kind === 'list') value = { ...value, items: [...prev.value.items, ...value.items] };
      }
    }
    this.settings.push({ name, op, value, line: value.line });
  }

  private syntaxError(t: Token, expected: TokenKind[]): void {
    if (this.errstatus !== 0) return;
    const names = expected.map(k => TOKEN_NAME[k]);
    const msg = `syntax error, unexpected ${TOKEN_NAME[t.kind]}` + (names.length ? `, expecting ${names.join(' or ')}` : '');
    this.yyerror(t.text, t.line, msg);
  }

  private lexicalError(text: string, line: number, msg: string): void {
    this.yyerror(text, line, msg);
    this.lexErrLine = line;
  }

  private yyerror(text: string, line: number, msg: string): void {
    if (line <= this.lexErrLine) return;
    let lineno = line;
    let newline = '';
    let t = text;
    if (t.endsWith('\n')) {
      t = t.slice(0, -1);
      lineno--;
      if (!t) newline = '<newline>';
    }
    t = t.replace(/[ \t]+$/, '');
    // flex's end-of-input text is a lone NUL: quoted, but printed empty
    const shown = t ? '`' + t.split('\0')[0] + "'" : '';
    this.report.push(`${this.source}:${lineno}: config parsing error near ${shown}${newline}: ${msg}`);
    this.failed = true;
  }
}

function startsValue(t: Token): boolean {
  return t.kind === 'STRING' || t.kind === 'NUMBER' || t.kind === '[';
}

function findLast(settings: XlSetting[], name: string): XlSetting | undefined {
  for (let i = settings.length - 1; i >= 0; i--) if (settings[i].name === name) return settings[i];
  return undefined;
}
