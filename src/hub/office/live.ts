// Server-sent events to every open office screen: "something changed, look again" with what changed
// (alerts, gates, downlinks), coalesced to at most one message per 100 ms per kind. Screens refetch;
// the alarm state rides along so a new screen knows at once whether to sound.
import type { ServerResponse } from 'node:http';

export type Change = 'alerts' | 'gates' | 'downlinks';

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private pending = new Set<Change>();
  private timer: NodeJS.Timeout | undefined;
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly coalesceMs = 100) {
    this.ping = setInterval(() => this.write(': ping\n\n'), 20_000);
    this.ping.unref();
  }

  add(res: ServerResponse): void {
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.write('event: hello\ndata: {}\n\n');
  }

  get size(): number {
    return this.clients.size;
  }

  changed(...what: Change[]): void {
    for (const w of what) this.pending.add(w);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const kinds = [...this.pending];
      this.pending = new Set();
      this.write(`event: changed\ndata: ${JSON.stringify({ kinds })}\n\n`);
    }, this.coalesceMs);
  }

  private write(text: string): void {
    for (const c of this.clients) c.write(text);
  }

  close(): void {
    clearInterval(this.ping);
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
