// xentop entry point (dist/xentop.js). Batch mode stays light: ink and React are imported only
// for the interactive screen, blessed only in the separate dashboard process.
import { invokedName } from '../invoked-name.ts';
import { parseArgs } from './options.ts';
import { runBatch } from './batch.ts';
import { daemonSource } from './daemon-source.ts';
import { bytesFromText } from '../../formats/byte-text.ts';

function fail(e: any): never {
  process.stderr.write(`${String(e?.message ?? e).replace(/\n?$/, '\n')}`);
  process.exit(typeof e?.exitCode === 'number' ? e.exitCode : 1);
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2), invokedName());
  if (parsed.kind === 'exit') {
    process.stderr.write(parsed.stderr);
    process.stdout.write(parsed.stdout);
    process.exit(parsed.code);
  }
  const o = parsed.options;
  if (o.dashboard) {
    const { runDashboard } = await import('./dashboard/spawn.ts');
    process.exit(await runDashboard(o));
  }
  const source = await daemonSource().catch(fail);
  if (o.batch) {
    // `xentop -b | head` ends quietly, as a C program killed by SIGPIPE.
    process.stdout.on('error', () => process.exit(0));
    // Names are bytes: written as they came, as C's printf does.
    await runBatch(source, o, t => process.stdout.write(bytesFromText(t))).catch(fail);
    source.close();
    return;
  }
  // Ink draws only a final frame when it thinks it runs in CI; on a terminal the user asked for
  // the live screen, as the real xentop gives it whatever the environment says.
  if (process.stdout.isTTY) { delete process.env.CI; delete process.env.CONTINUOUS_INTEGRATION; }
  const { runInteractive } = await import('./interactive.tsx');
  await runInteractive(source, o).catch(fail);
  source.close();
  process.exit(0);
}

main().catch(fail);
