// Just enough of curses to lay the interactive screen out exactly as xentop does: text goes into
// a rows × cols grid, wraps at the right edge, '\n' clears to the end of the line, nothing
// scrolls, and xentop's print() drops whole calls once the cursor sits on the last line.
import type { Attrs, Printer } from './table.ts';

export interface Segment { text: string; attrs: Attrs }

const sameAttrs = (a: Attrs, b: Attrs) => !!a.reverse === !!b.reverse && !!a.bold === !!b.bold && !!a.highlight === !!b.highlight;

export class CursesScreen implements Printer {
  private cells: { ch: string; attrs: Attrs }[][];
  private y = 0;
  private x = 0;

  constructor(readonly rows: number, readonly cols: number) {
    this.cells = Array.from({ length: rows }, () => this.blankRow());
  }

  private blankRow() { return Array.from({ length: this.cols }, () => ({ ch: ' ', attrs: {} as Attrs })); }

  /** xentop's print(): only while the cursor is above the last line. */
  print(text: string, attrs: Attrs = {}): void {
    if (this.y < this.rows - 1) this.addstr(text, attrs);
  }

  full(): boolean { return this.y === this.rows - 1; }

  move(y: number, x: number): void { this.y = y; this.x = x; }

  addstr(text: string, attrs: Attrs = {}): void {
    for (const ch of text) if (!this.addch(ch, attrs)) return;
  }

  /** False when curses would answer ERR (bottom line, no scrolling). */
  private addch(ch: string, attrs: Attrs): boolean {
    if (this.rows === 0 || this.cols === 0) return false;
    if (ch === '\n') {
      for (let i = this.x; i < this.cols; i++) this.cells[this.y][i] = { ch: ' ', attrs: {} };
      this.x = 0;
      if (this.y === this.rows - 1) return false;
      this.y++;
      return true;
    }
    this.cells[this.y][this.x] = { ch, attrs };
    if (++this.x < this.cols) return true;
    if (this.y === this.rows - 1) { this.x = this.cols - 1; return false; }
    this.x = 0;
    this.y++;
    return true;
  }

  /** The grid as runs of equal attributes; trailing plain blanks dropped. */
  lines(): Segment[][] {
    return this.cells.map(row => {
      let end = row.length;
      while (end > 0 && row[end - 1].ch === ' ' && sameAttrs(row[end - 1].attrs, {})) end--;
      const segs: Segment[] = [];
      for (const c of row.slice(0, end)) {
        const last = segs[segs.length - 1];
        if (last && sameAttrs(last.attrs, c.attrs)) last.text += c.ch;
        else segs.push({ text: c.ch, attrs: c.attrs });
      }
      return segs;
    });
  }

  text(): string { return this.lines().map(l => l.map(s => s.text).join('')).join('\n'); }
}
