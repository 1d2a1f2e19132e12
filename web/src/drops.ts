/**
 * @module web/drops — the would-be drops (what the repository's policies would drop if enforced) and the observed
 * drops, each with the rule that would allow it and a link to the edge on the map.
 */
import type { DropsDocument } from '../../src/server/api-types.js';
import { h, num, select } from './dom.js';

export function renderDrops(root: HTMLElement, doc: DropsDocument, params: URLSearchParams): void {
  const namespaces = [...new Set(doc.items.map((i) => i.namespace))].sort();
  const state = { namespace: params.get('namespace') ?? '', status: params.get('status') ?? '', edge: params.get('edge') };
  const list = h('div', { id: 'drop-list' });
  const count = h('p', { id: 'drop-count', role: 'status' });

  function render(): void {
    const items = doc.items.filter((i) => (state.namespace === '' || i.namespace === state.namespace) && (state.status === '' || i.status === state.status));
    count.textContent = `${num(items.filter((i) => i.status === 'would-drop').length)} would-be drops, ${num(items.filter((i) => i.status === 'dropped').length)} observed drops`;
    list.replaceChildren(
      ...items.map((i) =>
        h(
          'article',
          { class: `drop drop-${i.status}${state.edge === String(i.edge) ? ' focused' : ''}`, 'data-edge': i.edge, 'data-status': i.status, tabindex: state.edge === String(i.edge) ? -1 : undefined },
          h('h3', {}, h('span', { class: `badge badge-${i.status}` }, i.status === 'would-drop' ? 'would drop' : 'dropped'), ` ${i.sourceLabel} → ${i.targetLabel} `, h('code', {}, i.port)),
          h('p', { class: 'meta' }, `namespace ${i.namespace}${i.direction ? ` · ${i.direction}` : ''} · ${num(i.flows)} flows · last seen ${i.lastSeen}`),
          h('p', {}, i.why),
          i.suggestion?.yaml ? h('div', { class: 'suggestion' }, h('p', {}, `Suggested rule — ${i.suggestion.where}:`), h('pre', {}, i.suggestion.yaml)) : null,
          i.suggestion?.blocked ? h('p', { class: 'warn' }, `No rule yet: ${i.suggestion.blocked}`) : null,
          h('p', {}, h('a', { href: `#/map?edge=${i.edge}`, class: 'show-on-map' }, 'Show on the map')),
        ),
      ),
    );
    if (items.length === 0) list.append(h('p', {}, 'Nothing would be dropped and nothing was dropped.'));
  }
  root.replaceChildren(
    h('h2', {}, 'Would-be drops and drops'),
    h(
      'div',
      { class: 'toolbar' },
      select('drops-namespace', 'Namespace', [['', 'all'], ...namespaces.map((n) => [n, n] as const)], state.namespace, (v) => ((state.namespace = v), render())),
      select('drops-status', 'Status', [['', 'all'], ['would-drop', 'would be dropped'], ['dropped', 'dropped']], state.status, (v) => ((state.status = v), render())),
    ),
    count,
    list,
  );
  render();
  const focused = list.querySelector<HTMLElement>('.focused');
  if (focused) {
    focused.scrollIntoView({ block: 'center' });
    focused.focus();
  }
}
