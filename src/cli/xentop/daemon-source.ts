// StatsSource over the daemon's 'stats.watch' stream (delay in simulated time).
import { connectDaemon } from '../../client/autostart.ts';
import type { Connection } from '../../client/connection.ts';
import type { StatsSource } from './stats-source.ts';

export async function daemonSource(): Promise<StatsSource & { conn: Connection }> {
  const conn = await connectDaemon();
  return {
    conn,
    watch(delayNs, onSample, onError) {
      const s = conn.stream('stats.watch', { delayNs: delayNs.toString() }, onSample);
      let stopped = false;
      s.done.catch(e => { if (!stopped) onError(e); });
      return { stop: () => { stopped = true; s.cancel(); } };
    },
    close: () => conn.close(),
  };
}
