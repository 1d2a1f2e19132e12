/**
 * @module web/board — the rollout board: for each direction, the namespaces in columns by stage, each card with
 * its risk, gate status and what blocks its next step; then the waves by team. With a token, each card offers the
 * next promotion and a rollback, which run the `promote` and `rollback` commands on the server.
 */
import type { BoardDocument, BoardNamespace, SessionDocument } from '../../src/server/api-types.js';
import { stageChange, type StageChangeResult } from './api.js';
import { h } from './dom.js';

const STAGES = ['observe', 'audit', 'enforce'] as const;
const DIRECTIONS = ['ingress', 'egress'] as const;

export function renderBoard(root: HTMLElement, doc: BoardDocument, session: SessionDocument, onChanged: () => void): void {
  const status = h('div', { id: 'board-status', class: 'notice', role: 'status', 'aria-live': 'polite' });
  const preflight = doc.preflight.ok ? h('p', { class: 'ok' }, 'Preflight passes.') : h('div', { class: 'warn' }, h('p', {}, 'Preflight fails: promotions are blocked until it passes.'), h('ul', {}, ...doc.preflight.failures.map((f) => h('li', {}, f))));

  async function act(kind: 'promote' | 'rollback', ns: BoardNamespace): Promise<void> {
    status.textContent = `${kind} ${ns.namespace} …`;
    const req = kind === 'promote' ? { namespaces: [ns.namespace], ...(ns.next ? { to: ns.next.to, direction: ns.next.direction as 'ingress' | 'egress' | 'both' } : {}) } : { namespaces: [ns.namespace], reason: 'rollback from the dashboard' };
    let r: StageChangeResult;
    try {
      r = await stageChange(kind, req);
    } catch (e) {
      status.textContent = `${kind} failed: ${(e as Error).message}`;
      return;
    }
    if (r.status === 200) {
      status.textContent = `${r.body.title ?? kind} — written to the repository. Undo: ${(r.body.undo ?? []).join(' && ')}`;
      onChanged();
    } else if (r.body.refused) {
      status.textContent = `${kind} ${ns.namespace} refused: ${(r.body.steps ?? []).flatMap((s) => s.gate?.reasons ?? []).join('; ')}`;
    } else status.textContent = `${kind} ${ns.namespace}: ${r.body.error ?? `HTTP ${r.status}`}`;
  }

  const card = (ns: BoardNamespace, direction: string) =>
    h(
      'li',
      { class: `card card-${ns.status}`, 'data-namespace': ns.namespace, 'data-direction': direction },
      h('h4', {}, ns.namespace),
      h('p', { class: 'links' }, h('a', { href: `#/map?namespace=${ns.namespace}` }, 'map'), ' · ', h('a', { href: `#/policies?namespace=${ns.namespace}` }, 'policies and next diff')),
      h('p', { class: 'meta' }, ns.team ? `team ${ns.team}` : 'no team', ns.wave !== undefined ? ` · wave ${ns.wave}` : '', ns.risk ? ` · risk ${ns.risk.score}` : ''),
      h('p', {}, h('span', { class: `badge badge-${ns.status}` }, ns.status === 'done' ? 'enforcing' : ns.status === 'pass' ? 'ready' : 'blocked'), ns.next ? ` next: ${ns.next.to}${ns.next.direction !== 'both' ? ` (${ns.next.direction})` : ''}` : ''),
      ns.wouldDrops > 0 ? h('p', {}, h('a', { href: `#/drops?namespace=${ns.namespace}` }, `${ns.wouldDrops} would-be drops`)) : null,
      ns.blockers.length > 0 ? h('ul', { class: 'blockers' }, ...ns.blockers.map((b) => h('li', {}, b))) : null,
      ns.next ? h('p', { class: 'command' }, h('code', {}, ns.next.command)) : null,
      session.writable
        ? h(
            'p',
            { class: 'actions' },
            ns.next ? h('button', { type: 'button', 'data-action': 'promote', onclick: () => void act('promote', ns) }, `Promote to ${ns.next.to}`) : null,
            ns.position.ingress !== 'observe' ? h('button', { type: 'button', 'data-action': 'rollback', onclick: () => void act('rollback', ns) }, 'Roll back') : null,
          )
        : null,
    );

  const boards = DIRECTIONS.map((d) =>
    h(
      'section',
      { class: 'board', 'aria-label': `${d} board` },
      h('h3', {}, d === 'ingress' ? 'Ingress' : 'Egress'),
      h(
        'div',
        { class: 'columns' },
        ...STAGES.map((s) => {
          const list = doc.namespaces.filter((n) => n.position[d] === s);
          return h('div', { class: 'column', 'data-stage': s, 'data-direction': d }, h('h4', {}, `${s} (${list.length})`), h('ul', {}, ...list.map((n) => card(n, d))));
        }),
      ),
    ),
  );
  const waves = h(
    'section',
    { 'aria-label': 'waves' },
    h('h3', {}, 'Waves'),
    doc.waves.length === 0 ? h('p', {}, 'Nothing left to do: every namespace enforces both ways.') : null,
    h(
      'ol',
      { id: 'waves' },
      ...doc.waves.map((w) =>
        h('li', {}, `Wave ${w.number}: ${w.ready} ready, ${w.blocked} blocked`, h('ul', {}, ...w.teams.map((t) => h('li', {}, `team ${t.team ?? '(none)'}: ${t.namespaces.join(', ')}`)))),
      ),
    ),
  );
  root.replaceChildren(h('h2', {}, 'Rollout board'), h('p', { class: 'meta' }, `as of ${doc.at}`), preflight, status, ...boards, waves);
}
