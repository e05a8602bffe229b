// The little of blessed and blessed-contrib the dashboard uses (neither ships types).
declare module 'blessed' {
  export interface Widget {
    focus(): void;
    setLabel(text: string): void;
    key(keys: string | string[], fn: (ch: string, key: { name: string; full: string }) => void): void;
    on(event: string, fn: (...args: any[]) => void): void;
  }
  export interface Screen extends Widget {
    render(): void;
    destroy(): void;
    width: number; height: number;
  }
  export function screen(opts: Record<string, unknown>): Screen;
  const blessed: { screen: typeof screen };
  export default blessed;
}

declare module 'blessed-contrib' {
  import type { Screen, Widget } from 'blessed';
  export interface LineSeries { title: string; x: string[]; y: number[]; style?: { line: string } }
  export interface Line extends Widget { setData(series: LineSeries[]): void }
  export interface Gauge extends Widget { setPercent(p: number): void }
  export interface Table extends Widget {
    setData(d: { headers: string[]; data: string[][] }): void;
    rows: Widget & { selected: number; select(i: number): void };
  }
  export interface Log extends Widget { log(line: string): void }
  export class grid {
    constructor(opts: { rows: number; cols: number; screen: Screen });
    set<T>(row: number, col: number, rowSpan: number, colSpan: number, ctor: unknown, opts: Record<string, unknown>): T;
  }
  export const line: unknown, gauge: unknown, table: unknown, log: unknown;
  const contrib: { grid: typeof grid; line: unknown; gauge: unknown; table: unknown; log: unknown };
  export default contrib;
}
