// Bundles each binary's entry point with esbuild. Bundles start fast (one file to load);
// heavy UI code (ink, blessed) stays in lazily imported chunks or is external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  xl: 'src/cli/xl/main.ts',
  xenlabd: 'src/daemon/main.ts',
  xenstore: 'src/cli/xenstore/main.ts',
  xentop: 'src/cli/xentop/main.ts',
  'xentop-dashboard': 'src/cli/xentop/dashboard/main.ts',
  xentrace: 'src/cli/xentrace/main.ts',
  xentrace_format: 'src/cli/xentrace/format-main.ts',
};
// `node scripts/build.mjs xl xenlabd` builds only those entries (others keep their last build).
const only = process.argv.slice(2);
const present = Object.fromEntries(Object.entries(entries).filter(([n, f]) => existsSync(f) && (only.length === 0 || only.includes(n))));

await build({
  entryPoints: present,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3', 'blessed', 'blessed-contrib', 'node-pty', '@xterm/headless'],
  alias: { 'react-devtools-core': './scripts/stub-devtools.mjs' },
  banner: { js: "import { createRequire as __xlCreateRequire } from 'node:module'; const require = __xlCreateRequire(import.meta.url);" },
});
