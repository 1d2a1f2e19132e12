/**
 * @module web/map — the service map on a canvas: nodes where the server laid them out, edges coloured by status,
 * namespaces as boxes that collapse to one node; filters by namespace, class and status. Drawing is one pass over
 * the visible edges (10,000 draw in a few milliseconds); filtering and collapsing never move a node.
 * Keyboard: arrows pan, + and - zoom, 0 fits, n selects the next would-be drop or drop, Escape clears the selection.
 */
import { EDGE_STATUSES, NODE_CLASSES, OUTSIDE_GROUP, type EdgeStatus, type MapDocument, type MapEdge, type MapNode } from '../../src/server/api-types.js';
import { h, num, replace, select } from './dom.js';

export const STATUS_COLOURS: Readonly<Record<EdgeStatus, string>> = {
  allowed: '#2e7d32',
  'would-drop': '#e65100',
  dropped: '#c62828',
  'not-covered': '#9e9e9e',
};
const STATUS_TEXT: Readonly<Record<EdgeStatus, string>> = { allowed: 'allowed by a policy', 'would-drop': 'would be dropped', dropped: 'dropped', 'not-covered': 'not covered' };
const CLASS_COLOURS: Readonly<Record<string, string>> = {
  application: '#1565c0',
  platform: '#6a1b9a',
  batch: '#00838f',
  debug: '#ad1457',
  external: '#5d4037',
  entity: '#37474f',
  cidr: '#795548',
};
const RADIUS = 9;

export interface MapState {
  namespace: string;
  cls: string;
  statuses: Set<EdgeStatus>;
  collapsed: Set<string>;
  /** A map edge to show (from the drop list). */
  edge?: number;
}

/** Renders the map view into `root`. `params` come from the hash (`#/map?edge=12&namespace=ns`). */
export function renderMap(root: HTMLElement, doc: MapDocument, params: URLSearchParams): void {
  const edgeParam = params.get('edge');
  const focus = edgeParam !== null ? doc.edges[Number(edgeParam)] : undefined;
  const state: MapState = {
    namespace: params.get('namespace') ?? '',
    cls: params.get('class') ?? '',
    statuses: new Set(EDGE_STATUSES),
    collapsed: new Set(),
    ...(focus !== undefined ? { edge: focus.id } : {}),
  };
  const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
  const groupCentre = new Map(doc.groups.map((g) => [g.id, { x: g.x + g.width / 2, y: g.y + g.height / 2 }]));
  const groups = doc.groups.map((g) => g.id).sort();

  const canvas = h('canvas', { id: 'map-canvas', tabindex: 0, role: 'img', 'aria-label': 'Service map: arrows pan, plus and minus zoom, 0 fits, n selects the next would-be drop or drop, Escape clears the selection' });
  const details = h('div', { id: 'map-details', class: 'details', 'aria-live': 'polite' }, 'Click a node or an edge for its details.');
  const legend = h('ul', { id: 'map-legend', class: 'legend' });
  const groupList = h('ul', { id: 'map-groups', class: 'groups' });
  const statusBoxes = EDGE_STATUSES.map((s) =>
    h('label', { class: `status status-${s}` }, h('input', { type: 'checkbox', value: s, checked: true, 'data-status': s, onchange: (e) => toggleStatus(s, (e.target as HTMLInputElement).checked) }), ` ${STATUS_TEXT[s]}`),
  );
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    select('map-namespace', 'Namespace', [['', 'whole cluster'], ...groups.map((g) => [g, g] as const)], state.namespace, (v) => {
      state.namespace = v;
      fit();
      draw();
    }),
    select('map-class', 'Class', [['', 'all classes'], ...NODE_CLASSES.map((c) => [c, c] as const)], state.cls, (v) => {
      state.cls = v;
      draw();
    }),
    h('fieldset', { class: 'statuses' }, h('legend', {}, 'Edges'), ...statusBoxes),
    h('button', { type: 'button', id: 'map-collapse-all', onclick: () => setAll(true) }, 'Collapse all'),
    h('button', { type: 'button', id: 'map-expand-all', onclick: () => setAll(false) }, 'Expand all'),
    h('button', { type: 'button', id: 'map-fit', onclick: () => (fit(), draw()) }, 'Fit'),
  );
  root.replaceChildren(h('h2', {}, 'Service map'), toolbar, h('div', { class: 'map-layout' }, h('div', { class: 'map-canvas-wrap' }, canvas), h('aside', { class: 'map-side' }, legend, details, h('h3', {}, 'Namespaces'), groupList)));

  function toggleStatus(s: EdgeStatus, on: boolean): void {
    if (on) state.statuses.add(s);
    else state.statuses.delete(s);
    draw();
  }
  function setAll(collapse: boolean): void {
    state.collapsed = collapse ? new Set(groups) : new Set();
    renderGroups();
    draw();
  }
  function renderGroups(): void {
    groupList.replaceChildren(
      ...doc.groups
        .slice()
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((g) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                'aria-pressed': state.collapsed.has(g.id) ? 'true' : 'false',
                'data-group': g.id,
                onclick: () => {
                  if (state.collapsed.has(g.id)) state.collapsed.delete(g.id);
                  else state.collapsed.add(g.id);
                  renderGroups();
                  draw();
                },
              },
              `${state.collapsed.has(g.id) ? '▸' : '▾'} ${g.id} (${g.nodes})`,
            ),
          ),
        ),
    );
  }

  // View transform: screen = (world - origin) * scale.
  let scale = 1;
  let ox = 0;
  let oy = 0;
  let selected: { node?: MapNode; edge?: MapEdge } = focus !== undefined ? { edge: focus } : {};
  let visibleEdges: MapEdge[] = [];
  let drawnNodes: { id: string; x: number; y: number; node?: MapNode; group?: string }[] = [];

  const inScope = (n: MapNode | undefined): boolean => n !== undefined && (state.namespace === '' || n.group === state.namespace) && (state.cls === '' || n.class === state.cls);
  const position = (n: MapNode): { x: number; y: number } => (state.collapsed.has(n.group) ? groupCentre.get(n.group)! : n);

  function visible(): { edges: MapEdge[]; nodeIds: Set<string> } {
    const edges: MapEdge[] = [];
    const nodeIds = new Set<string>();
    for (const e of doc.edges) {
      if (!state.statuses.has(e.status)) continue;
      const s = nodes.get(e.source);
      const t = nodes.get(e.target);
      if (!(inScope(s) || inScope(t)) && e.id !== state.edge) continue;
      if (state.cls !== '' && !(s?.class === state.cls || t?.class === state.cls)) continue;
      edges.push(e);
      nodeIds.add(e.source);
      nodeIds.add(e.target);
    }
    for (const n of doc.nodes) if (inScope(n)) nodeIds.add(n.id);
    return { edges, nodeIds };
  }

  function fit(): void {
    const { nodeIds } = visible();
    const pts = [...nodeIds].map((id) => position(nodes.get(id)!));
    const w = canvas.clientWidth || 800;
    const hgt = canvas.clientHeight || 600;
    if (pts.length === 0) {
      scale = 1;
      ox = oy = 0;
      return;
    }
    const minX = Math.min(...pts.map((p) => p.x)) - 60;
    const maxX = Math.max(...pts.map((p) => p.x)) + 60;
    const minY = Math.min(...pts.map((p) => p.y)) - 60;
    const maxY = Math.max(...pts.map((p) => p.y)) + 60;
    scale = Math.min(2, w / (maxX - minX), hgt / (maxY - minY));
    ox = minX - (w / scale - (maxX - minX)) / 2;
    oy = minY - (hgt / scale - (maxY - minY)) / 2;
  }

  function draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 800;
    const hgt = canvas.clientHeight || 600;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(hgt * dpr);
    }
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, -ox * scale * dpr, -oy * scale * dpr);
    const { edges, nodeIds } = visible();
    visibleEdges = edges;

    // Namespace boxes.
    ctx.textAlign = 'left';
    ctx.lineWidth = 1 / scale;
    ctx.font = `${12}px system-ui, sans-serif`;
    for (const g of doc.groups) {
      const shown = [...nodeIds].some((id) => nodes.get(id)?.group === g.id);
      if (!shown) continue;
      ctx.strokeStyle = g.id === OUTSIDE_GROUP ? '#bcaaa4' : '#b0bec5';
      ctx.fillStyle = state.collapsed.has(g.id) ? '#eceff1' : '#fafafa';
      if (!state.collapsed.has(g.id)) {
        ctx.fillRect(g.x, g.y, g.width, g.height);
        ctx.strokeRect(g.x, g.y, g.width, g.height);
      }
      ctx.fillStyle = '#455a64';
      ctx.fillText(g.id, g.x + 4, g.y + 16);
    }

    // Edges, by status so the alarming ones are on top; collapsed pairs drawn once.
    const order: EdgeStatus[] = ['not-covered', 'allowed', 'dropped', 'would-drop'];
    const counts: Record<EdgeStatus, number> = { allowed: 0, 'would-drop': 0, dropped: 0, 'not-covered': 0 };
    for (const status of order) {
      ctx.strokeStyle = STATUS_COLOURS[status];
      ctx.lineWidth = (status === 'would-drop' || status === 'dropped' ? 2 : 1) / scale;
      ctx.beginPath();
      const seen = new Set<string>();
      for (const e of edges) {
        if (e.status !== status) continue;
        counts[status]++;
        const a = position(nodes.get(e.source)!);
        const b = position(nodes.get(e.target)!);
        const key = `${a.x},${a.y},${b.x},${b.y}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
      }
      ctx.stroke();
    }
    if (selected.edge !== undefined) {
      const a = position(nodes.get(selected.edge.source)!);
      const b = position(nodes.get(selected.edge.target)!);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 5 / scale;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      ctx.strokeStyle = STATUS_COLOURS[selected.edge.status];
      ctx.lineWidth = 3 / scale;
      ctx.stroke();
    }

    // Nodes: one per visible node, one per collapsed group.
    drawnNodes = [];
    const collapsedShown = new Set<string>();
    for (const id of nodeIds) {
      const n = nodes.get(id)!;
      if (state.collapsed.has(n.group)) {
        if (collapsedShown.has(n.group)) continue;
        collapsedShown.add(n.group);
        const c = groupCentre.get(n.group)!;
        ctx.fillStyle = '#607d8b';
        ctx.beginPath();
        ctx.arc(c.x, c.y, RADIUS * 2, 0, Math.PI * 2);
        ctx.fill();
        drawnNodes.push({ id: `group:${n.group}`, x: c.x, y: c.y, group: n.group });
        continue;
      }
      ctx.fillStyle = CLASS_COLOURS[n.class] ?? '#1565c0';
      ctx.beginPath();
      if (n.class === 'external' || n.class === 'entity' || n.class === 'cidr') ctx.rect(n.x - RADIUS, n.y - RADIUS, RADIUS * 2, RADIUS * 2);
      else ctx.arc(n.x, n.y, RADIUS, 0, Math.PI * 2);
      ctx.fill();
      if (selected.node?.id === n.id) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 3 / scale;
        ctx.stroke();
      }
      drawnNodes.push({ id: n.id, x: n.x, y: n.y, node: n });
    }
    if (scale > 0.6) {
      ctx.fillStyle = '#212121';
      ctx.font = '10px system-ui, sans-serif';
      ctx.textAlign = 'center';
      for (const d of drawnNodes) {
        const text = d.node ? d.node.label : (d.group ?? '');
        ctx.fillText(text.length > 15 ? `${text.slice(0, 14)}…` : text, d.x, d.y + RADIUS + 11);
      }
    }

    canvas.dataset.nodes = String(drawnNodes.length);
    canvas.dataset.edges = String(edges.length);
    for (const s of EDGE_STATUSES) canvas.dataset[camel(s)] = String(counts[s]);
    legend.replaceChildren(...EDGE_STATUSES.map((s) => h('li', { class: `legend-${s}`, 'data-status': s }, h('span', { class: `swatch swatch-${s}` }), ` ${STATUS_TEXT[s]}: ${num(counts[s])}`)));
    if (!document.body.dataset.mapRendered) {
      document.body.dataset.mapRendered = String(Math.round(performance.now()));
      performance.mark('map-rendered');
    }
  }

  function showDetails(): void {
    const e = selected.edge;
    const n = selected.node;
    if (e !== undefined) {
      const s = nodes.get(e.source);
      const t = nodes.get(e.target);
      replace(
        details,
        h('h3', {}, 'Edge'),
        h('p', { 'data-edge': e.id, 'data-status': e.status }, `${s?.id ?? e.source} → ${t?.id ?? e.target} ${e.port}/${e.protocol}`),
        h('p', {}, h('span', { class: `badge badge-${e.status}` }, STATUS_TEXT[e.status]), ` · observed ${e.verdict} · ${num(e.flows)} flows · last seen ${e.lastSeen}`),
        e.status === 'would-drop' || e.status === 'dropped' ? h('p', {}, h('a', { href: `#/drops?edge=${e.id}` }, 'In the drop list')) : null,
      );
    } else if (n !== undefined) {
      const out = doc.edges.filter((x) => x.source === n.id).length;
      const inn = doc.edges.filter((x) => x.target === n.id).length;
      replace(
        details,
        h('h3', {}, n.label),
        h('p', {}, `${n.kind ?? n.class}${n.group !== OUTSIDE_GROUP ? ` in ${n.group}` : ''} · ${n.class}${n.role ? ` (${n.role})` : ''}`),
        n.addresses ? h('p', {}, `addresses: ${n.addresses.join(', ')}`) : null,
        h('p', {}, `${num(out)} egress, ${num(inn)} ingress edges`),
        n.firstSeen ? h('p', {}, `seen ${n.firstSeen} … ${n.lastSeen ?? ''}`) : null,
      );
    } else details.replaceChildren('Click a node or an edge for its details.');
  }

  function pick(px: number, py: number): void {
    const x = px / scale + ox;
    const y = py / scale + oy;
    const hit = drawnNodes.find((d) => Math.hypot(d.x - x, d.y - y) <= (d.group ? RADIUS * 2 : RADIUS) + 2 / scale);
    if (hit?.group !== undefined) {
      state.collapsed.delete(hit.group);
      renderGroups();
      selected = {};
    } else if (hit?.node !== undefined) selected = { node: hit.node };
    else {
      let best: MapEdge | undefined;
      let bestD = 6 / scale;
      for (const e of visibleEdges) {
        const d = segmentDistance(x, y, position(nodes.get(e.source)!), position(nodes.get(e.target)!));
        if (d < bestD) {
          bestD = d;
          best = e;
        }
      }
      selected = best !== undefined ? { edge: best } : {};
    }
    showDetails();
    draw();
  }

  let drag: { x: number; y: number; moved: boolean } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (drag === undefined) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (!drag.moved) return;
    ox -= dx / scale;
    oy -= dy / scale;
    drag.x = e.clientX;
    drag.y = e.clientY;
    draw();
  });
  canvas.addEventListener('pointerup', (e) => {
    const r = canvas.getBoundingClientRect();
    if (drag !== undefined && !drag.moved) pick(e.clientX - r.left, e.clientY - r.top);
    drag = undefined;
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - r.left, e.clientY - r.top);
    },
    { passive: false },
  );
  canvas.addEventListener('keydown', (e) => {
    const step = 60 / scale;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => (ox -= step),
      ArrowRight: () => (ox += step),
      ArrowUp: () => (oy -= step),
      ArrowDown: () => (oy += step),
      '+': () => zoom(1.25),
      '=': () => zoom(1.25),
      '-': () => zoom(0.8),
      '0': () => fit(),
      n: () => nextDrop(),
      Escape: () => {
        selected = {};
        showDetails();
      },
    };
    const f = keys[e.key];
    if (f === undefined) return;
    e.preventDefault();
    f();
    draw();
  });
  /** Selects the next visible would-be drop (then drop) after the selected edge, and centres the view on it. */
  function nextDrop(): void {
    const alarming = visibleEdges.filter((e) => e.status === 'would-drop' || e.status === 'dropped').sort((a, b) => (a.status === b.status ? a.id - b.id : a.status === 'would-drop' ? -1 : 1));
    if (alarming.length === 0) return;
    const at = selected.edge !== undefined ? alarming.findIndex((e) => e.id === selected.edge!.id) : -1;
    const e = alarming[(at + 1) % alarming.length]!;
    selected = { edge: e };
    centreOn(e);
    showDetails();
  }
  function centreOn(e: MapEdge): void {
    const a = position(nodes.get(e.source)!);
    const b = position(nodes.get(e.target)!);
    scale = Math.max(scale, 1);
    ox = (a.x + b.x) / 2 - (canvas.clientWidth || 800) / 2 / scale;
    oy = (a.y + b.y) / 2 - (canvas.clientHeight || 600) / 2 / scale;
  }
  function zoom(factor: number, cx = (canvas.clientWidth || 800) / 2, cy = (canvas.clientHeight || 600) / 2): void {
    const wx = cx / scale + ox;
    const wy = cy / scale + oy;
    scale = Math.min(8, Math.max(0.02, scale * factor));
    ox = wx - cx / scale;
    oy = wy - cy / scale;
    draw();
  }

  renderGroups();
  fit();
  // Centre on the edge asked for, close enough to read.
  if (focus !== undefined) centreOn(focus);
  showDetails();
  draw();
  new ResizeObserver(() => draw()).observe(canvas);
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function segmentDistance(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len));
  return Math.hypot(x - (a.x + t * dx), y - (a.y + t * dy));
}
