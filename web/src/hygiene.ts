/**
 * @module web/hygiene — hygiene and coverage: the findings (label hygiene, namespace boundaries, coverage,
 * ownership), each workload's first and last seen, and the CronJobs that should have run but were never seen.
 */
import type { HygieneDocument } from '../../src/server/api-types.js';
import { h, select, table } from './dom.js';

export function renderHygiene(root: HTMLElement, doc: HygieneDocument, params: URLSearchParams): void {
  const state = { severity: params.get('severity') ?? '', namespace: params.get('namespace') ?? '' };
  const namespaces = [...new Set(doc.workloads.map((w) => w.namespace))].sort();
  const body = h('div');
  function render(): void {
    const findings = doc.findings.filter((f) => (state.severity === '' || f.severity === state.severity) && (state.namespace === '' || f.namespace === state.namespace));
    const workloads = doc.workloads.filter((w) => state.namespace === '' || w.namespace === state.namespace);
    const cron = doc.cronJobsNotSeen.filter((c) => state.namespace === '' || c.namespace === state.namespace);
    body.replaceChildren(
      table(`Findings (${findings.length})`, ['severity', 'code', 'subject', 'message'], findings.map((f) => [h('span', { class: `sev sev-${f.severity}` }, f.severity), f.code, f.subject, f.message]), { id: 'findings' }),
      h('h3', {}, 'CronJobs not seen'),
      cron.length === 0 ? h('p', { id: 'cron-not-seen' }, 'Every CronJob was seen at least once.') : h('ul', { id: 'cron-not-seen' }, ...cron.map((c) => h('li', {}, `${c.namespace}/${c.name}`))),
      table(`Coverage: workloads (${workloads.length})`, ['namespace', 'kind', 'name', 'class', 'first seen', 'last seen'], workloads.map((w) => [w.namespace, w.kind, w.name, w.class ?? '', w.firstSeen ?? 'never seen', w.lastSeen ?? '']), { id: 'coverage' }),
    );
  }
  root.replaceChildren(
    h('h2', {}, 'Hygiene and coverage'),
    h(
      'div',
      { class: 'toolbar' },
      select('hygiene-severity', 'Severity', [['', 'all'], ['error', 'error'], ['warning', 'warning'], ['info', 'info']], state.severity, (v) => ((state.severity = v), render())),
      select('hygiene-namespace', 'Namespace', [['', 'all'], ...namespaces.map((n) => [n, n] as const)], state.namespace, (v) => ((state.namespace = v), render())),
    ),
    body,
  );
  render();
}
