// dist/xentop-dashboard.js: `xentop --dashboard` runs this in its own process so that blessed
// (external, never bundled) stays out of xentop itself. Arguments: --delay SECONDS.
import { connectDaemon } from '../../../client/autostart.ts';
import type { StatsSource } from '../stats-source.ts';
import { runDashboardUI } from './ui.ts';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--delay');
  const delaySeconds = i > 0 ? Math.max(1, Number(process.argv[i + 1]) || 3) : 3;
  const conn = await connectDaemon();
  const source: StatsSource = {
    watch(delayNs, onSample, onError) {
      const s = conn.stream('stats.watch', { delayNs: delayNs.toString() }, onSample);
      s.done.catch(onError);
      return { stop: () => s.cancel() };
    },
    close: () => conn.close(),
  };
  await runDashboardUI({
    source, delaySeconds,
    events: onEvent => { const s = conn.stream('events.watch', {}, onEvent); s.done.catch(() => {}); return () => s.cancel(); },
    pause: async domid => { await conn.request('domain.pause', { dom: String(domid) }); },
    unpause: async domid => { await conn.request('domain.unpause', { dom: String(domid) }); },
  });
  conn.close();
  process.exit(0);
}

main().catch(e => {
  process.stderr.write(`${String(e?.message ?? e).replace(/\n?$/, '\n')}`);
  process.exit(typeof e?.exitCode === 'number' ? e.exitCode : 1);
});
