/**
 * @module policy/generate/test-support/invariants — the properties a generated set must have, as functions the
 * tests call on every fixture: soundness (the set, enforced, drops nothing observed it did not say it would),
 * tightness (it allows no workload-to-workload connection that was not observed beyond the baseline and the
 * existing policies), validity (validatePolicy and the CRD schemas).
 */
import type { Inventory, Peer } from '../../../inventory/index.js';
import { identityContext, peerEndpoint } from '../../endpoints.js';
import { compileEvaluator, type Connection, type ConnectionProtocol, type EvaluateOptions } from '../../evaluate/index.js';
import { validatePolicy, type LoadedPolicy } from '../../model/index.js';
import { loadCrdValidators } from '../../model/test-support/crd-validator.js';
import { asEnforcing, simulate } from '../../simulate.js';
import { existingPoliciesOf, type GenerateResult } from '../index.js';
import type { Fixture } from './fixtures.js';

const peerKey = (p: Peer): string => ('namespace' in p ? `${p.namespace}/${p.name}` : 'entity' in p ? `entity:${p.entity}` : 'ip' in p ? p.ip : p.cidr);
const edgeKey = (e: { source: Peer; destination: Peer; port: number; protocol: string }): string => `${peerKey(e.source)}>${peerKey(e.destination)}:${e.port}/${e.protocol}`;

/** Every generated policy as a LoadedPolicy. */
export function loadedOf(r: GenerateResult): { baseline: LoadedPolicy[]; perWorkload: LoadedPolicy[] } {
  return { baseline: r.baseline.map((b) => ({ policy: b.policy })), perWorkload: r.perWorkload.map((p) => ({ policy: p.policy })) };
}

/**
 * Soundness: the per-workload policies enforced (and the baseline as it is: it keeps `enableDefaultDeny` false),
 * with the cluster's existing policies, replayed on the inventory. Returns the would-drop edges the generator did
 * not list in `evidence.notAllowed` or `evidence.dropped` — empty when sound.
 */
export function unexplainedDrops(f: Fixture, r: GenerateResult, existing = existingPoliciesOf(f.cluster).policies): string[] {
  const { baseline, perWorkload } = loadedOf(r);
  const report = simulate(
    {
      inventory: f.inventory,
      existing: [...existing, ...baseline],
      candidate: perWorkload,
      identities: identityContext(f.cluster),
      options: {},
      asEnforced: true,
      labelPriority: f.config.labels.priority,
    },
    compileEvaluator,
  );
  const explained = new Set([...r.evidence.notAllowed, ...r.evidence.dropped].map((n) => edgeKey(n.edge)));
  return report.evaluations.filter((e) => e.wouldDrop && !explained.has(edgeKey(e.edge))).map((e) => edgeKey(e.edge));
}

/**
 * Tightness: for every ordered pair of workloads and every (port, protocol) seen anywhere in the inventory, and each
 * direction whose endpoint has a generated policy: if the full set (enforced) allows that direction but the
 * existing policies plus the baseline alone (everything isolated) do not, the connection must have been observed
 * passing. Returns the violations.
 */
export function unobservedAllows(f: Fixture, r: GenerateResult, existing = existingPoliciesOf(f.cluster).policies, options: EvaluateOptions = {}): string[] {
  const { baseline, perWorkload } = loadedOf(r);
  const isolateAll: LoadedPolicy = {
    policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'isolate' }, spec: { endpointSelector: {}, ingress: [{}], egress: [{}] } },
  };
  const ctx = identityContext(f.cluster);
  const opts = { clusterName: ctx.clusterName, ...options };
  const full = compileEvaluator([...existing, ...baseline, ...perWorkload.map(asEnforcing)], opts);
  const reference = compileEvaluator([...existing, ...baseline, isolateAll], opts);
  const withPolicy = new Set(r.perWorkload.map((p) => `${p.workload.namespace}/${p.workload.name}`));
  const observed = new Set(f.inventory.edges.filter((e) => e.verdict === 'FORWARDED' || e.verdict === 'AUDIT').map(edgeKey));
  const ports = new Map<string, { port: number; protocol: ConnectionProtocol }>();
  for (const e of f.inventory.edges) {
    if (['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'].includes(e.protocol)) ports.set(`${e.port}/${e.protocol}`, { port: e.port, protocol: e.protocol as ConnectionProtocol });
  }
  const labels = new Map(f.inventory.workloads.map((w) => [`${w.namespace}/${w.name}`, w.labels]));
  const peers: Peer[] = f.inventory.workloads.map((w) => ({ namespace: w.namespace, kind: w.kind, name: w.name }));
  const endpoint = new Map(peers.map((p) => [peerKey(p), peerEndpoint(p, ctx, (ns, n) => labels.get(`${ns}/${n}`))]));
  const out: string[] = [];
  for (const a of peers) {
    for (const b of peers) {
      const aHas = withPolicy.has(peerKey(a));
      const bHas = withPolicy.has(peerKey(b));
      if (!aHas && !bHas) continue;
      for (const { port, protocol } of ports.values()) {
        const c: Connection = { source: endpoint.get(peerKey(a))!, destination: endpoint.get(peerKey(b))!, port, protocol };
        const v = full.evaluate(c);
        const ref = reference.evaluate(c);
        const key = edgeKey({ source: a, destination: b, port, protocol });
        if (aHas && v.egress.decision === 'allowed' && ref.egress.decision !== 'allowed' && !observed.has(key)) out.push(`egress ${key}`);
        if (bHas && v.ingress.decision === 'allowed' && ref.ingress.decision !== 'allowed' && !observed.has(key)) out.push(`ingress ${key}`);
      }
    }
  }
  return out;
}

const crd = loadCrdValidators();

/** Problems of the generated policies: validatePolicy errors and warnings, and CRD schema errors (when the reference is there). */
export function invalidPolicies(r: GenerateResult): string[] {
  const out: string[] = [];
  for (const p of [...r.baseline, ...r.perWorkload]) {
    const name = `${p.policy.kind} ${p.policy.metadata.namespace ?? ''}/${p.policy.metadata.name}`;
    for (const x of validatePolicy({ policy: p.policy })) out.push(`${name}: ${x.severity}: ${x.path}: ${x.message}`);
    if (crd !== undefined) for (const x of crd[p.policy.kind](JSON.parse(JSON.stringify(p.policy)))) out.push(`${name}: CRD: ${x}`);
  }
  return out;
}

/** Whether the CRD schemas could be loaded. */
export const haveCrdSchemas = crd !== undefined;

/** Edges of the inventory, as keys, for assertions. */
export const edgeKeys = (inventory: Inventory): string[] => inventory.edges.map(edgeKey);
export { edgeKey };
