/**
 * @module watch/metrics — what `watch` counts, for Prometheus (`--metrics 127.0.0.1:9464`, path `/metrics`): drops
 * and would-be drops by namespace, stage, direction and kind; flows processed; events Hubble lost; how far behind
 * the newest flow the watch is. One registry per watch (not the process-wide default), so tests can run several.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { describePosition } from '../rollout/index.js';
import type { WatchEvent } from './tracker.js';

export class WatchMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'tighten_watch_events_total',
    help: 'Flows of attributed events: kind drop (Cilium dropped it for policy), audit (policy audit mode), would-drop (the repository would drop it once enforced), new-dependency',
    labelNames: ['namespace', 'stage', 'direction', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly edges = new Counter({
    name: 'tighten_watch_distinct_total',
    help: 'Distinct drops, would-be drops and new dependencies first seen (one per edge and direction)',
    labelNames: ['namespace', 'stage', 'direction', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly flows = new Counter({ name: 'tighten_watch_flows_total', help: 'Flows processed', registers: [this.registry] });
  private readonly otherDrops = new Counter({ name: 'tighten_watch_other_drops_total', help: 'Edges dropped for reasons other than policy (not attributed)', registers: [this.registry] });
  private readonly lost = new Gauge({ name: 'tighten_watch_lost_events', help: 'Events Hubble reported lost since the watch began', registers: [this.registry] });
  private readonly lag = new Gauge({ name: 'tighten_watch_lag_seconds', help: 'Seconds between the newest flow processed and the clock', registers: [this.registry] });
  private readonly alerts = new Counter({ name: 'tighten_watch_alerts_total', help: 'Threshold alerts raised', labelNames: ['namespace'] as const, registers: [this.registry] });

  /** Counts a slice's flows and the flows of every attributed observation (reported or not). */
  count(flows: number, observations: readonly { kind: string; namespace: string; direction?: string; stage: string; flows: number }[], otherDrops: number): void {
    this.flows.inc(flows);
    this.otherDrops.inc(otherDrops);
    for (const o of observations) this.events.inc({ namespace: o.namespace, stage: o.stage, direction: o.direction ?? '', kind: o.kind }, o.flows);
  }

  firstSeen(e: WatchEvent): void {
    this.edges.inc({ namespace: e.namespace, stage: stageLabel(e), direction: e.direction ?? '', kind: e.kind });
  }

  alert(namespace: string): void {
    this.alerts.inc({ namespace });
  }

  setLost(n: number): void {
    this.lost.set(n);
  }

  setLag(seconds: number): void {
    this.lag.set(Math.max(0, seconds));
  }

  /** Serves `/metrics` on `host:port`; resolves with the server once it listens. */
  async listen(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': this.registry.contentType });
            res.end(text);
          },
          (e: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(String(e));
          },
        );
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found: metrics are at /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  }
}

/** The stage of an event's namespace as a label: `enforce`, `audit`, `ingress=enforce egress=audit`, `none`. */
export const stageLabel = (e: { position?: Parameters<typeof describePosition>[0] }): string => (e.position === undefined ? 'none' : describePosition(e.position));
