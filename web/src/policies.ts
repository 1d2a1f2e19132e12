/**
 * @module web/policies — a namespace's policy files and the diff of its next promotion (planned as `promote` plans
 * it, nothing written), with the connectivity delta.
 */
import type { PoliciesDocument } from '../../src/server/api-types.js';
import { h, replace, select } from './dom.js';

/** A unified diff with its lines marked as added, removed or hunk headers. */
function diffBlock(text: string): HTMLElement {
  return h(
    'pre',
    { class: 'diff', id: 'policy-diff' },
    ...text.split('\n').map((l) => h('span', { class: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '' }, `${l}\n`)),
  );
}

export function renderPolicies(root: HTMLElement, namespaces: readonly string[], current: string, doc: PoliciesDocument | undefined, onPick: (ns: string) => void): void {
  const picker = h('div', { class: 'toolbar' }, select('policies-namespace', 'Namespace', namespaces.map((n) => [n, n] as const), current, onPick));
  if (doc === undefined) {
    root.replaceChildren(h('h2', {}, 'Policies'), picker, h('p', {}, 'No namespace in the rollout.'));
    return;
  }
  const next = doc.next;
  replace(
    root,
    h('h2', {}, `Policies of ${doc.namespace}`),
    picker,
    doc.position ? h('p', { id: 'policies-position' }, `stage: ingress ${doc.position.ingress}, egress ${doc.position.egress}`) : null,
    h('h3', {}, `Files (${doc.files.length})`),
    h('div', { id: 'policy-files' }, ...doc.files.map((f) => h('details', {}, h('summary', {}, f.path), h('pre', {}, f.text)))),
    h('h3', {}, 'Next promotion'),
    next === undefined
      ? h('p', { id: 'policies-note' }, doc.note ?? 'None.')
      : h(
          'section',
          { id: 'next-promotion' },
          h('p', {}, h('strong', {}, next.title), ' — gate ', h('span', { class: `badge badge-${next.gate.pass ? 'pass' : 'blocked'}` }, next.gate.pass ? 'passes' : 'blocked')),
          next.gate.reasons.length > 0 ? h('ul', { class: 'blockers' }, ...next.gate.reasons.map((r) => h('li', {}, r))) : null,
          h('h4', {}, 'Connectivity delta'),
          h('pre', { id: 'connectivity' }, next.connectivity),
          h('h4', {}, `Policy diff (${next.files.length} files)`),
          diffBlock(next.diff),
        ),
  );
}
