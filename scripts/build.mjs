// Bundles each binary's entry point with esbuild into dist/. The short-lived tools that scripts
// run in loops (xl, the xenstore-* family) are single CommonJS files: Node loads one CJS file
// faster than a graph of ES modules. The rest are ES modules with shared chunks, so heavy UI
// code (ink, blessed) stays in lazily imported chunks or external. The man pages go to dist/man,
// one page per command name, for the package's "man" list (see manPages below).
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const esmEntries = {
  xenlabd: 'src/daemon/main.ts',
  xentop: 'src/cli/xentop/main.ts',
  'xentop-dashboard': 'src/cli/xentop/dashboard/main.ts',
  xentrace: 'src/cli/xentrace/main.ts',
  xentrace_format: 'src/cli/xentrace/format-main.ts',
  xenctx: 'src/cli/xenctx/main.ts',
  xenpm: 'src/cli/xenpm/main.ts',
};
const cjsEntries = {
  xl: 'src/cli/xl/entry.ts',
  xm: 'src/cli/xm/main.ts',
  xenstore: 'src/cli/xenstore/main.ts',
};
// `node scripts/build.mjs xl xenlabd` builds only those entries (others keep their last build).
const only = process.argv.slice(2);
const pick = entries => Object.fromEntries(Object.entries(entries).filter(([n, f]) => existsSync(f) && (only.length === 0 || only.includes(n))));
if (only.length === 0) rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  external: ['better-sqlite3', 'blessed', 'blessed-contrib', 'node-pty', '@xterm/headless'],
  alias: { 'react-devtools-core': './scripts/stub-devtools.mjs' },
};

const esm = pick(esmEntries);
if (Object.keys(esm).length) {
  await build({
    ...common,
    entryPoints: esm,
    outdir: 'dist',
    splitting: true,
    format: 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: "import { createRequire as __xlCreateRequire } from 'node:module'; const require = __xlCreateRequire(import.meta.url);" },
  });
}
for (const [name, entry] of Object.entries(pick(cjsEntries))) {
  await build({
    ...common,
    entryPoints: [entry],
    outfile: `dist/${name}.cjs`,
    format: 'cjs',
    define: { 'import.meta.url': '__xlImportMetaUrl' },
    banner: { js: "#!/usr/bin/env node\nconst __xlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}
// bin/xl, bin/xm and bin/xenstore-* are symlinks to these files, and the package's "bin" names
// them directly (npm packs no symlinks): they must be executable.
for (const name of Object.keys(pick(cjsEntries))) chmodSync(`dist/${name}.cjs`, 0o755);

// A page documenting several commands (xenstore.1 names every xenstore-* tool in its NAME line) is
// written once per name, so that `man xenstore-ls` finds a page of its own in whatever man
// directory the package is installed into: a `.so` link would name a path that holds another
// page, or none, there.
function manPages() {
  mkdirSync('dist/man', { recursive: true });
  for (const file of readdirSync('man')) {
    const page = readFileSync(`man/${file}`, 'utf8');
    const section = file.slice(file.lastIndexOf('.') + 1);
    const names = /^\.SH NAME\n(.*?) \\- /m.exec(page)?.[1].split(', ').map(n => n.replaceAll('\\-', '-')) ?? [];
    for (const name of new Set([file.slice(0, file.lastIndexOf('.')), ...names])) writeFileSync(`dist/man/${name}.${section}`, page);
  }
}
if (only.length === 0) manPages();
