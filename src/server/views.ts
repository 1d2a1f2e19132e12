/**
 * @module server/views — the documents of the dashboard's views, built from what `plan` and `promote` judge on (the
 * rollout context: inventory, understanding, the repository's policies simulated as enforced, gate evidence) and the
 * plan. Pure: values in, JSON-ready values out; the wording comes from `report/` (peers, rules, risk, plan steps).
 */
import type { Edge, Finding, Inventory, Peer } from '../inventory/index.js';
import type { EdgeEvaluation, SimulationReport } from '../policy/simulate.js';
import { formatPeer, formatSubject, API_VERSION } from '../report/inventory.js';
import { planDocument, type PlanView } from '../report/plan.js';
import { dropWhy } from '../report/simulation.js';
import { explainRisk, type GateEvidence, type Plan, type PreflightResult } from '../rollout/index.js';
import type { Understanding } from '../understand/index.js';
import {
  OUTSIDE_GROUP,
  type BoardDocument,
  type BoardNamespace,
  type DropItem,
  type DropsDocument,
  type EdgeStatus,
  type HygieneDocument,
  type MapDocument,
  type MapEdge,
  type MapNode,
} from './api-types.js';
import { layoutMap } from './layout.js';

/** The map node a peer is drawn as: one per workload, per external name (else address), entity and CIDR. */
export function nodeIdOf(p: Peer): string {
  if ('namespace' in p) return `${p.namespace}/${p.name}`;
  if ('entity' in p) return `entity:${p.entity}`;
  if ('ip' in p) return p.names.length > 0 ? `fqdn:${p.names[0]}` : `ip:${p.ip}`;
  return `cidr:${p.cidr}`;
}

/** The status of an evaluated edge: observed dropped, would be dropped if enforced, allowed by a policy, or not covered. */
export function edgeStatus(e: EdgeEvaluation): EdgeStatus {
  if (e.edge.verdict === 'DROPPED') return 'dropped';
  if (e.wouldDrop) return 'would-drop';
  const v = e.verdict;
  if (v !== undefined && v.allowed && (v.egress.decision === 'allowed' || v.ingress.decision === 'allowed')) return 'allowed';
  return 'not-covered';
}

const portText = (e: Pick<Edge, 'port' | 'protocol'>): string => (e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? `${e.protocol} type ${e.port}` : `${e.port}/${e.protocol}`);

/** The service map: nodes (laid out once), edges with their status, and the totals per status. */
export function buildMap(inventory: Inventory, understanding: Understanding, simulation: SimulationReport): MapDocument {
  const classes = new Map(understanding.classifications.map((c) => [`${c.workload.namespace}/${c.workload.name}`, c]));
  const nodes = new Map<string, Omit<MapNode, 'x' | 'y'>>();
  for (const w of inventory.workloads) {
    const id = `${w.namespace}/${w.name}`;
    const c = classes.get(id);
    nodes.set(id, {
      id,
      label: w.name,
      class: c?.class ?? 'application',
      group: w.namespace,
      kind: w.kind,
      ...(c?.role !== undefined ? { role: c.role } : {}),
      ...(w.firstSeen !== undefined ? { firstSeen: w.firstSeen } : {}),
      ...(w.lastSeen !== undefined ? { lastSeen: w.lastSeen } : {}),
    });
  }
  const addresses = new Map<string, Set<string>>();
  const addPeer = (p: Peer): string => {
    const id = nodeIdOf(p);
    if ('ip' in p) {
      const set = addresses.get(id) ?? new Set<string>();
      set.add(p.ip);
      addresses.set(id, set);
    }
    if (nodes.has(id)) return id;
    if ('namespace' in p) nodes.set(id, { id, label: p.name, class: classes.get(id)?.class ?? 'application', group: p.namespace, kind: p.kind });
    else if ('entity' in p) nodes.set(id, { id, label: p.entity, class: 'entity', group: OUTSIDE_GROUP });
    else if ('ip' in p) nodes.set(id, { id, label: p.names[0] ?? p.ip, class: 'external', group: OUTSIDE_GROUP });
    else nodes.set(id, { id, label: p.cidr, class: 'cidr', group: OUTSIDE_GROUP });
    return id;
  };
  const degree = new Map<string, number>();
  const totals: Record<EdgeStatus, number> = { allowed: 0, 'would-drop': 0, dropped: 0, 'not-covered': 0 };
  const edges: MapEdge[] = simulation.evaluations.map((e, id) => {
    const source = addPeer(e.edge.source);
    const target = addPeer(e.edge.destination);
    degree.set(source, (degree.get(source) ?? 0) + 1);
    degree.set(target, (degree.get(target) ?? 0) + 1);
    const status = edgeStatus(e);
    totals[status]++;
    return { id, source, target, port: e.edge.port, protocol: e.edge.protocol, verdict: e.edge.verdict, status, flows: e.edge.flows, lastSeen: e.edge.lastSeen };
  });
  const ordered = [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const layout = layoutMap(ordered.map((n) => ({ id: n.id, group: n.group, degree: degree.get(n.id) ?? 0 })));
  return {
    apiVersion: API_VERSION,
    kind: 'ServiceMap',
    groups: layout.boxes,
    nodes: ordered.map((n) => {
      const at = layout.positions.get(n.id)!;
      const ips = addresses.get(n.id);
      return { ...n, ...(ips !== undefined ? { addresses: [...ips].sort() } : {}), x: at.x, y: at.y };
    }),
    edges,
    totals,
  };
}

/**
 * Would-be drops (one item per direction that drops, as `simulate` lists them) with the rule that would allow each,
 * then the drops Hubble observed. Ordered by namespace, then flows (most first).
 * @param repo the repository's folder: file names under it are shown relative to it
 */
export function buildDrops(simulation: SimulationReport, repo?: string): DropsDocument {
  // Policy files are named relative to the repository: the page shows no paths of the server's machine.
  const local = (text: string): string => (repo === undefined ? text : text.split(`${repo.replace(/\/+$/, '')}/`).join(''));
  const items: DropItem[] = [];
  simulation.evaluations.forEach((e, id) => {
    const base = {
      edge: id,
      source: nodeIdOf(e.edge.source),
      target: nodeIdOf(e.edge.destination),
      sourceLabel: formatPeer(e.edge.source),
      targetLabel: formatPeer(e.edge.destination),
      port: portText(e.edge),
      flows: e.edge.flows,
      lastSeen: e.edge.lastSeen,
    };
    if (e.edge.verdict === 'DROPPED') {
      const subject = e.edge.destination;
      items.push({
        ...base,
        status: 'dropped',
        namespace: 'namespace' in subject ? subject.namespace : 'namespace' in e.edge.source ? e.edge.source.namespace : '(cluster-wide)',
        why: `observed dropped${e.edge.dropReasons ? ` (${e.edge.dropReasons.join(', ')})` : ''}`,
        ...(e.edge.dropReasons !== undefined ? { dropReasons: e.edge.dropReasons } : {}),
      });
      return;
    }
    if (!e.wouldDrop || e.verdict === undefined) return;
    for (const direction of ['egress', 'ingress'] as const) {
      const v = e.verdict[direction];
      if (v.decision !== 'denied-default' && v.decision !== 'denied-rule') continue;
      const subject = direction === 'egress' ? e.edge.source : e.edge.destination;
      const s = e.suggestions.find((x) => x.direction === direction);
      items.push({
        ...base,
        status: 'would-drop',
        direction,
        namespace: 'namespace' in subject ? subject.namespace : '(cluster-wide)',
        why: dropWhy(v),
        ...(s !== undefined ? { suggestion: { where: local(s.where), ...(s.yaml !== undefined ? { yaml: s.yaml } : {}), ...(s.blocked !== undefined ? { blocked: s.blocked } : {}) } } : {}),
      });
    }
  });
  const rank = { 'would-drop': 0, dropped: 1 } as const;
  items.sort((a, b) => rank[a.status] - rank[b.status] || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0) || b.flows - a.flows || a.edge - b.edge);
  return { apiVersion: API_VERSION, kind: 'DropList', items };
}

/** The rollout board: each namespace's stage per direction, its next step's gate and risk, and the waves by team. */
export function buildBoard(view: PlanView, evidence: Readonly<Record<string, GateEvidence>>): BoardDocument {
  const doc = planDocument(view);
  const stepOf = new Map(view.plan.steps.map((s) => [s.namespace, s]));
  const waveOf = new Map(view.plan.waves.flatMap((w) => w.teams.flatMap((t) => t.steps.map((s) => [s.namespace, w.number] as const))));
  const namespaces: BoardNamespace[] = Object.keys(evidence)
    .sort()
    .map((ns) => {
      const e = evidence[ns]!;
      const s = stepOf.get(ns);
      const position = s?.from ?? e.position;
      const blockers = s === undefined ? [] : s.gate.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}${c.unblock !== undefined ? ` — ${c.unblock}` : ''}`);
      const wave = waveOf.get(ns);
      return {
        namespace: ns,
        ...(e.team !== undefined ? { team: e.team } : {}),
        position: { ingress: position.ingress, egress: position.egress },
        status: s === undefined ? 'done' : s.gate.pass ? 'pass' : 'blocked',
        ...(wave !== undefined ? { wave } : {}),
        ...(s !== undefined ? { next: { to: s.to, direction: s.direction, command: s.command }, risk: { rank: s.risk.rank, score: s.risk.score, why: explainRisk(s.risk) } } : {}),
        blockers,
        wouldDrops: e.wouldDrops?.length ?? 0,
      };
    });
  return {
    apiVersion: API_VERSION,
    kind: 'RolloutBoard',
    at: doc.at,
    preflight: doc.preflight,
    namespaces,
    waves: view.plan.waves.map((w) => ({
      number: w.number,
      ready: w.ready,
      blocked: w.blocked,
      teams: w.teams.map((t) => ({ ...(t.team !== undefined ? { team: t.team } : {}), namespaces: t.steps.map((s) => s.namespace) })),
    })),
  };
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { error: 0, warning: 1, info: 2 };

/** Hygiene and coverage: every finding (the inventory's and the understand step's), each workload's first and last seen, CronJobs not seen. */
export function buildHygiene(inventory: Inventory, understanding: Understanding, evidence: Readonly<Record<string, GateEvidence>>): HygieneDocument {
  const findings: Finding[] = [...inventory.findings, ...understanding.findings].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3));
  const classes = new Map(understanding.classifications.map((c) => [`${c.workload.namespace}/${c.workload.name}`, c.class]));
  const cron = new Map<string, { namespace: string; name: string }>();
  for (const [ns, e] of Object.entries(evidence)) for (const name of e.cronJobsNotSeen) cron.set(`${ns}/${name}`, { namespace: ns, name });
  for (const f of findings) {
    if (f.code === 'coverage-cronjob-not-seen' && 'name' in f.subject) cron.set(`${f.subject.namespace}/${f.subject.name}`, { namespace: f.subject.namespace, name: f.subject.name });
  }
  return {
    apiVersion: API_VERSION,
    kind: 'Hygiene',
    findings: findings.map((f) => ({ severity: f.severity, code: f.code, subject: formatSubject(f), ...('namespace' in f.subject ? { namespace: f.subject.namespace } : {}), message: f.message })),
    workloads: inventory.workloads.map((w) => {
      const c = classes.get(`${w.namespace}/${w.name}`);
      return { namespace: w.namespace, kind: w.kind, name: w.name, ...(c !== undefined ? { class: c } : {}), ...(w.firstSeen !== undefined ? { firstSeen: w.firstSeen } : {}), ...(w.lastSeen !== undefined ? { lastSeen: w.lastSeen } : {}) };
    }),
    cronJobsNotSeen: [...cron.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** The plan view as `tighten plan` builds it (the repository shown as `.`: the dashboard names no paths). */
export function planViewOf(plan: Plan, evidence: Readonly<Record<string, GateEvidence>>, preflight: PreflightResult): PlanView {
  return { repo: '.', plan, evidence, preflight, for: [] };
}
