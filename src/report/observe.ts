/**
 * @module report/observe — renders what `tighten observe` stored: inputs (stored now, or already
 * stored), flows, duplicates, skipped lines, lost events, and the store's totals. Pure; exit 0.
 */
import type { ObserveSummary, StoreStatus } from '../store/index.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const OBSERVE_FORMATS = ['text', 'json'] as const;
export type ObserveFormat = (typeof OBSERVE_FORMATS)[number];

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, noun: string): string => `${n(x)} ${noun}${x === 1 ? '' : 's'}`;

/** Renders an observe summary. Exit 0: storing is not a finding, and bad input has already thrown. */
export function renderObserve(summary: ObserveSummary, format: ObserveFormat): Rendered {
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(observeDocument(summary), null, 2)}\n`, exitCode: EXIT.ok };
    case 'text':
      return { output: renderText(summary), exitCode: EXIT.ok };
  }
}

/** The JSON envelope: `{apiVersion, kind: ObserveSummary, inputs, flows, duplicates, skipped, lostEvents, commits, errors, store}`. */
export function observeDocument(s: ObserveSummary) {
  return { apiVersion: API_VERSION, kind: 'ObserveSummary', inputs: s.inputs, flows: s.flows, duplicates: s.duplicates, skipped: s.skipped, lostEvents: s.lostEvents, commits: s.commits, errors: s.errors, store: s.store };
}

function renderText(s: ObserveSummary): string {
  const lines: string[] = [];
  const already = s.inputs.filter((i) => i.stored === 'already');
  for (const i of already) lines.push(`${i.name}: already in the store (same content), skipped`);
  if (s.commits === 0 && already.length === s.inputs.length) lines.push('nothing new to store');
  else {
    const extra = [
      s.duplicates > 0 ? `${plural(s.duplicates, 'flow')} already stored (same uuid) skipped` : '',
      s.skipped > 0 ? `${plural(s.skipped, 'malformed line')} skipped` : '',
      s.lostEvents > 0 ? `${plural(s.lostEvents, 'lost event')} reported by Hubble: some connections may be missing` : '',
    ].filter(Boolean);
    lines.push(`stored ${plural(s.flows, 'flow')} in ${plural(s.commits, 'commit')}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`);
  }
  lines.push(storeLine(s.store));
  return `${lines.join('\n')}\n`;
}

/** One line of a store's totals. */
function storeLine(st: StoreStatus): string {
  const span = st.firstTime !== undefined && st.lastTime !== undefined ? `, ${st.firstTime} … ${st.lastTime}` : '';
  return `store ${st.location}: ${plural(st.flows, 'flow')} from ${plural(st.files, 'file')} and streams, ${plural(st.bucketRows, 'edge bucket')} in ${plural(st.segments, 'segment')}, ${(st.bytes / 1e6).toFixed(1)} MB${span}`;
}

/** What `tighten compact` did: the store's totals before and after. */
export interface CompactionReport {
  readonly before: StoreStatus;
  readonly after: StoreStatus;
}

/** Renders a compaction: text (the two totals, and the settings it applied) or JSON (`{apiVersion, kind: CompactionSummary, before, after}`). Exit 0. */
export function renderCompaction(r: CompactionReport, format: ObserveFormat): Rendered {
  if (format === 'json') return { output: `${JSON.stringify({ apiVersion: API_VERSION, kind: 'CompactionSummary', before: r.before, after: r.after }, null, 2)}\n`, exitCode: EXIT.ok };
  const { rollupAfterHours, retentionHours } = r.after.settings;
  const lines = [
    `compacted: days rolled up once ${rollupAfterHours} hours old, dropped once ${retentionHours} hours old (whole days, UTC)`,
    `before: ${storeLine(r.before)}`,
    `after:  ${storeLine(r.after)}`,
  ];
  return { output: `${lines.join('\n')}\n`, exitCode: EXIT.ok };
}
