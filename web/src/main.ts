/**
 * @module web/main — the dashboard's shell: the session line (window, counts, read-only or the token field), the
 * navigation, and the hash router (`#/map`, `#/board`, `#/drops`, `#/hygiene`, `#/policies?namespace=NS`).
 */
import type { SessionDocument } from '../../src/server/api-types.js';
import { api, token } from './api.js';
import { renderBoard } from './board.js';
import { h, num } from './dom.js';
import { renderDrops } from './drops.js';
import { renderHygiene } from './hygiene.js';
import { renderMap } from './map.js';
import { renderPolicies } from './policies.js';

const VIEWS = ['map', 'board', 'drops', 'hygiene', 'policies'] as const;
type View = (typeof VIEWS)[number];

const main = document.getElementById('main')!;
let session: SessionDocument | undefined;

function route(): { view: View; params: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'map';
  return { view, params: new URLSearchParams(query) };
}

function renderSession(s: SessionDocument): void {
  const box = document.getElementById('session')!;
  const w = s.window;
  const summary = h('span', { id: 'session-summary' }, `${num(s.counts.workloads)} workloads · ${num(s.counts.edges)} edges · ${num(s.counts.wouldDrops)} would-be drops · ${w.since ?? '?'} … ${w.until ?? '?'}`);
  if (!s.writable) {
    box.replaceChildren(summary, h('span', { class: 'badge badge-readonly', id: 'mode' }, 'read-only'));
    return;
  }
  // The token is never written into the page: the field only says whether one is kept for this tab.
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', placeholder: token.get() === '' ? 'token' : 'token set', 'aria-label': 'Token for promote and rollback' });
  input.addEventListener('change', () => {
    token.set(input.value.trim());
    input.value = '';
    input.placeholder = token.get() === '' ? 'token' : 'token set';
  });
  box.replaceChildren(summary, h('label', { class: 'token' }, 'Token ', input));
}

async function show(): Promise<void> {
  const { view, params } = route();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.dataset.view = view;
  main.setAttribute('aria-busy', 'true');
  try {
    session ??= await api.session();
    renderSession(session);
    switch (view) {
      case 'map':
        renderMap(main, await api.map(), params);
        break;
      case 'board':
        renderBoard(main, await api.board(), session, () => void reload());
        break;
      case 'drops':
        renderDrops(main, await api.drops(), params);
        break;
      case 'hygiene':
        renderHygiene(main, await api.hygiene(), params);
        break;
      case 'policies': {
        const board = await api.board();
        const namespaces = board.namespaces.map((n) => n.namespace);
        const ns = params.get('namespace') ?? namespaces[0] ?? '';
        renderPolicies(main, namespaces, ns, ns === '' ? undefined : await api.policies(ns), (pick) => (location.hash = `#/policies?namespace=${encodeURIComponent(pick)}`));
        break;
      }
    }
  } catch (e) {
    main.replaceChildren(h('p', { class: 'warn', role: 'alert' }, `Could not load the view: ${(e as Error).message}`));
  } finally {
    main.setAttribute('aria-busy', 'false');
    document.title = `tighten — ${view}`;
  }
}

/** After a stage change: the server has read the data again. */
async function reload(): Promise<void> {
  api.invalidate();
  session = await api.session();
  const status = document.getElementById('board-status')?.textContent ?? '';
  await show();
  const box = document.getElementById('board-status');
  if (box) box.textContent = status;
}

document.querySelector('.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => void show());
void show();
