// xentop entry point (dist/xentop.js). Batch mode stays light: ink and React are imported only
// for the interactive screen, blessed only in the separate dashboard process.
import { parseArgs } from './options.ts';
import { runBatch } from './batch.ts';
import { daemonSource } from './daemon-source.ts';

function fail(e: any): never {
  process.stderr.write(`${String(e?.message ?? e).replace(/\n?$/, '\n')}`);
  process.exit(typeof e?.exitCode === 'number' ? e.exitCode : 1);
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
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
    await runBatch(source, o, t => process.stdout.write(t)).catch(fail);
    source.close();
    return;
  }
  const { runInteractive } = await import('./interactive.tsx');
  await runInteractive(source, o).catch(fail);
  source.close();
  process.exit(0);
}

main().catch(fail);
