/**
 * @module web/dom — a tiny element factory: no framework, no inline styles or handlers (the content security policy
 * forbids them), text always set as text.
 */
type Child = Node | string | number | undefined | null | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** `h('a', { href: '#/map', class: 'x', onclick: f }, 'text', child)`. `false`/`undefined` attributes and children are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** A `<select>` of `options` (value, label), `selected` chosen. */
export function select(id: string, label: string, options: readonly (readonly [string, string])[], selected: string, onChange: (value: string) => void): HTMLElement {
  const s = h('select', { id, onchange: (e) => onChange((e.target as HTMLSelectElement).value) }, ...options.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
  return h('label', { for: id }, `${label} `, s);
}

/** A table with a header row; `rows` are arrays of cells. */
export function table(caption: string, head: readonly string[], rows: readonly (readonly Child[])[], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export const num = (n: number): string => n.toLocaleString('en-US');

/** Replaces the children of `el`, leaving out `null`, `false` and `undefined`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}
