/**
 * @module report/watch — how `watch` prints an event or an alert: one human line (and, for a first report with a
 * fix, the patch under it), or one JSON line for pipelines (`-o json`). Pure.
 */
import type { Peer } from '../inventory/index.js';
import { describePosition } from '../rollout/index.js';
import type { WatchAlert, WatchEvent } from '../watch/tracker.js';
import { API_VERSION } from './inventory.js';

export const WATCH_FORMATS = ['text', 'json'] as const;
export type WatchFormat = (typeof WATCH_FORMATS)[number];

const LABEL: Record<WatchEvent['kind'], string> = { drop: 'DROP', audit: 'AUDIT', 'would-drop': 'WOULD-DROP', 'new-dependency': 'NEW' };

const peer = (p: Peer): string => ('namespace' in p ? `${p.namespace}/${p.name}` : 'entity' in p ? p.entity : 'ip' in p ? (p.names[0] ?? p.ip) : p.cidr);
const port = (e: WatchEvent): string => (e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? `${e.protocol} type ${e.port}` : `${e.port}/${e.protocol}`);

/** One event as a line (with its patch under it, indented, when there is one). */
export function eventLine(e: WatchEvent, patch?: string): string {
  const stage = e.position === undefined ? 'not in the rollout' : describePosition(e.position);
  const subject = e.direction === 'egress' ? `${peer(e.source)} → ${peer(e.destination)}` : `${peer(e.destination)} ← ${peer(e.source)}`;
  const counts = e.report === 'first' ? `${e.flows} flow${e.flows === 1 ? '' : 's'}` : `${e.total} flows in all, seen in ${e.seen} slices`;
  const parts = [`${LABEL[e.kind].padEnd(10)} ${e.namespace} (${stage})${e.direction ? ` ${e.direction}` : ''}: ${subject} ${port(e)}`, e.rule, `${counts}, last ${e.lastSeen}`];
  if (e.suggestion !== undefined) parts.push(`fix: ${e.suggestion.where}${e.suggestion.blocked ? ` — ${e.suggestion.blocked}` : ''}`);
  const line = parts.filter((p) => p !== undefined).join('  ');
  return patch === undefined ? `${line}\n` : `${line}\n${patch.trimEnd().replace(/^/gm, '    ')}\n`;
}

export function alertLine(a: WatchAlert): string {
  return `ALERT      ${a.namespace}: ${a.distinct} distinct drops or would-be drops in ${Math.round(a.windowMs / 60_000)} min — ${a.advice}${a.rollback ? `\n           roll back: ${a.rollback}` : ''}\n`;
}

/** One JSON line. */
export function eventJson(e: WatchEvent, patch?: string): string {
  return `${JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'WatchEvent',
    event: e.kind,
    report: e.report,
    namespace: e.namespace,
    stage: e.position === undefined ? null : { ingress: e.position.ingress, egress: e.position.egress },
    ...(e.direction !== undefined ? { direction: e.direction } : {}),
    source: e.source,
    destination: e.destination,
    port: e.port,
    protocol: e.protocol,
    ...(e.rule !== undefined ? { rule: e.rule } : {}),
    flows: e.flows,
    total: e.total,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    ...(e.suggestion !== undefined ? { suggestion: e.suggestion } : {}),
    ...(patch !== undefined ? { patch } : {}),
    key: e.key,
  })}\n`;
}

export function alertJson(a: WatchAlert): string {
  return `${JSON.stringify({ apiVersion: API_VERSION, kind: 'WatchAlert', ...a, stage: a.position ?? null, position: undefined })}\n`;
}
