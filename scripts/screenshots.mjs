// Captures the interactive xentop screen and the xentop --dashboard from real runs into images/
// (SVG, plus the plain text): a private xenlabd on the virtual clock with the example guests, the
// real binaries under a pseudo-terminal (node-pty), the screen kept by a headless xterm and
// drawn cell by cell with its colours and attributes. Usage: npm run build && node scripts/screenshots.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pty from 'node-pty';
import xterm from '@xterm/headless';

const ROOT = resolve(import.meta.dirname, '..');
const home = mkdtempSync(join(tmpdir(), 'xlshot-'));
const env = { ...process.env, XENLAB_HOME: home, XENLAB_NO_AUTOSTART: '1', TZ: 'UTC', TERM: 'xterm-256color' };
delete env.NO_COLOR;

function tool(bin, ...args) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', bin), ...args], { env, cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// The 16 ANSI colours (xterm's defaults) and the 256-colour cube.
const ANSI = ['#000000', '#cd0000', '#00cd00', '#cdcd00', '#0000ee', '#cd00cd', '#00cdcd', '#e5e5e5',
  '#7f7f7f', '#ff0000', '#00ff00', '#ffff00', '#5c5cff', '#ff00ff', '#00ffff', '#ffffff'];
function palette(n) {
  if (n < 16) return ANSI[n];
  if (n < 232) { const c = n - 16, v = x => (x ? 55 + x * 40 : 0).toString(16).padStart(2, '0'); return `#${v(Math.floor(c / 36))}${v(Math.floor(c / 6) % 6)}${v(c % 6)}`; }
  const g = (8 + (n - 232) * 10).toString(16).padStart(2, '0');
  return `#${g}${g}${g}`;
}
const FG = '#d0d0d0', BG = '#1c1c1c';
const colour = (cell, fg) => {
  const mode = fg ? cell.getFgColorMode() : cell.getBgColorMode();
  const v = fg ? cell.getFgColor() : cell.getBgColor();
  if (mode === 0) return null;
  if (mode === 0x3000000) return `#${v.toString(16).padStart(6, '0')}`;
  return palette(v);
};
const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function svg(term) {
  const cw = 8.4, ch = 17, b = term.buffer.active;
  const parts = [];
  for (let y = 0; y < term.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    let x = 0;
    while (x < term.cols) {
      const cell = line.getCell(x);
      let fg = colour(cell, true) ?? FG, bg = colour(cell, false);
      if (cell.isInverse()) { const f = fg; fg = bg ?? BG; bg = f; }
      const bold = !!cell.isBold();
      let text = '', x0 = x;
      // A run of cells with the same look.
      while (x < term.cols) {
        const c = line.getCell(x);
        let f2 = colour(c, true) ?? FG, b2 = colour(c, false);
        if (c.isInverse()) { const t = f2; f2 = b2 ?? BG; b2 = t; }
        if (f2 !== fg || b2 !== bg || !!c.isBold() !== bold) break;
        text += c.getChars() || ' ';
        x++;
      }
      if (bg) parts.push(`<rect x="${(x0 * cw).toFixed(1)}" y="${y * ch}" width="${((x - x0) * cw).toFixed(1)}" height="${ch}" fill="${bg}"/>`);
      if (text.trim()) parts.push(`<text x="${(x0 * cw).toFixed(1)}" y="${y * ch + 13}" fill="${fg}"${bold ? ' font-weight="bold"' : ''} textLength="${((x - x0) * cw).toFixed(1)}" lengthAdjust="spacingAndGlyphs" xml:space="preserve">${esc(text)}</text>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${(term.cols * cw).toFixed(0)}" height="${term.rows * ch}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">\n<rect width="100%" height="100%" fill="${BG}"/>\n${parts.join('\n')}\n</svg>\n`;
}

function text(term) {
  const b = term.buffer.active, out = [];
  for (let y = 0; y < term.rows; y++) out.push(b.getLine(b.viewportY + y).translateToString(true));
  return out.join('\n') + '\n';
}

/** Runs a binary under a PTY; `steps` get the screen and act; resolves with the final terminal. */
let term;
async function capture(args, cols, rows, steps) {
  term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  const p = pty.spawn(process.execPath, [join(ROOT, 'bin', 'xentop'), ...args], { cols, rows, cwd: ROOT, env });
  let waiting = null;
  p.onData(d => term.write(d, () => waiting?.()));
  const screen = () => text(term);
  const until = (pred, what) => new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}:\n${screen()}`)), 30000);
    waiting = () => { if (pred(screen())) { clearTimeout(timer); waiting = null; res(); } };
    waiting();
  });
  try {
    await steps(until, k => p.write(k));
    return { svg: svg(term), text: screen() };
  } finally {
    const exited = new Promise(r => p.onExit(r));
    p.write('q');
    await exited;
  }
}

try {
  if (!existsSync(join(ROOT, 'images/web.img'))) { const fd = openSync(join(ROOT, 'images/web.img'), 'w'); ftruncateSync(fd, 2 ** 31); closeSync(fd); }
  tool('xenlabd', 'start', '--clock', 'virtual');
  writeFileSync(join(home, 'batch.cfg'), 'name = "batch"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 4\nworkload = "cpu=90"\n');
  for (const cfg of ['demo', 'web', 'db']) tool('xl', 'create', `examples/${cfg}.cfg`);
  tool('xenlabd', 'clock', 'advance', '20s');

  const top = await capture(['-d', '3'], 168, 22, async until => {
    await until(s => /^ +web /m.test(s), 'the table');
    tool('xenlabd', 'clock', 'advance', '3s');
    await until(s => /^ +web +\S+ +\d+ +(?!0\.0)\d+\.\d/m.test(s), 'CPU(%)');
  });
  writeFileSync(join(ROOT, 'images/xentop.svg'), top.svg);
  writeFileSync(join(ROOT, 'images/xentop.txt'), top.text);

  const dash = await capture(['--dashboard', '-d', '1'], 150, 40, async (until, key) => {
    await until(s => s.includes('Domains') && / web /.test(s), 'the dashboard');
    // One simulated second at a time, each after the previous sample is drawn; a guest comes
    // and goes on the way so that the events pane has something to show.
    for (let i = 1; i <= 30; i++) {
      if (i === 10) tool('xl', 'create', join(home, 'batch.cfg'));
      if (i === 25) tool('xl', 'shutdown', 'batch');
      const before = text(term);
      tool('xenlabd', 'clock', 'advance', '1s');
      await until(s => s !== before, `sample ${i}`);
    }
    key('\x1b[B');
  });
  writeFileSync(join(ROOT, 'images/xentop-dashboard.svg'), dash.svg);
  writeFileSync(join(ROOT, 'images/xentop-dashboard.txt'), dash.text);
  console.log('images/xentop.svg images/xentop.txt images/xentop-dashboard.svg images/xentop-dashboard.txt');
} finally {
  spawnSync(process.execPath, [join(ROOT, 'bin', 'xenlabd'), 'stop'], { env });
  rmSync(home, { recursive: true, force: true });
}
process.exit(0);
