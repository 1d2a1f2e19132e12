/**
 * @module web/api — the dashboard's only way to the data: the server's JSON API (types shared with the server).
 * The token, when one is typed in, lives in this tab's session storage and goes only into the Authorization header.
 */
import type { BoardDocument, DropsDocument, HygieneDocument, MapDocument, PoliciesDocument, SessionDocument, StageChangeRequest } from '../../src/server/api-types.js';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText}`);
  return (await res.json()) as T;
}

const cache = new Map<string, Promise<unknown>>();
/** GETs once per data generation. */
function cached<T>(path: string): Promise<T> {
  let p = cache.get(path);
  if (p === undefined) {
    p = getJson<T>(path);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p as Promise<T>;
}

export const api = {
  session: () => getJson<SessionDocument>('/api/session'),
  map: () => cached<MapDocument>('/api/map'),
  board: () => cached<BoardDocument>('/api/board'),
  drops: () => cached<DropsDocument>('/api/drops'),
  hygiene: () => cached<HygieneDocument>('/api/hygiene'),
  policies: (ns: string) => cached<PoliciesDocument>(`/api/namespaces/${encodeURIComponent(ns)}/policies`),
  /** Forgets every view (after a stage change the server has read the data again). */
  invalidate: () => cache.clear(),
};

const TOKEN_KEY = 'tighten-token';
export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string): void => (t === '' ? sessionStorage.removeItem(TOKEN_KEY) : sessionStorage.setItem(TOKEN_KEY, t)),
};

export interface StageChangeResult {
  readonly status: number;
  readonly body: { readonly title?: string; readonly refused?: boolean; readonly error?: string; readonly undo?: readonly string[]; readonly steps?: readonly { readonly namespace: string; readonly gate?: { readonly reasons: readonly string[] } }[] };
}

/** POSTs a promote or rollback with the token. */
export async function stageChange(kind: 'promote' | 'rollback', request: StageChangeRequest): Promise<StageChangeResult> {
  const res = await fetch(`/api/${kind}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.get()}` },
    body: JSON.stringify(request),
  });
  return { status: res.status, body: (await res.json()) as StageChangeResult['body'] };
}
