import { describe, expect, it } from 'vitest';
import type { PolicyObject } from '../cluster/index.js';
import { detectDrift, hasDrift, type RepoPolicy } from './drift.js';

const cnp = (ns: string, name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace: ns, ...extra },
  spec,
});
const spec = { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] };
const repo = (name: string, object: Record<string, unknown>, applied = true, kind: RepoPolicy['kind'] = 'CiliumNetworkPolicy'): RepoPolicy => ({
  kind,
  namespace: 'shop',
  name,
  file: `namespaces/shop/${name}.yaml`,
  applied,
  object,
});
const live = (name: string, object: Record<string, unknown>, kind: PolicyObject['kind'] = 'CiliumNetworkPolicy'): PolicyObject => ({ kind, namespace: 'shop', name, object, source: `dump.yaml/${name}` });

describe('detectDrift', () => {
  it('in sync: the same rules, whatever metadata the server added and whatever the key order', () => {
    const server = cnp('shop', 'web', { ingress: spec.ingress, endpointSelector: spec.endpointSelector }, { uid: 'u-1', resourceVersion: '42', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    const r = detectDrift([repo('web', cnp('shop', 'web', spec))], [live('web', server)]);
    expect(hasDrift(r)).toBe(false);
    expect(r.inSync).toBe(1);
  });

  it('each kind of drift, named with where it was found and what differs', () => {
    const r = detectDrift(
      [
        repo('web', cnp('shop', 'web', spec)),
        repo('api', cnp('shop', 'api', spec)),
        repo('db', cnp('shop', 'db', spec)),
        repo('queued', cnp('shop', 'queued', spec), false),
        repo('proposed', cnp('shop', 'proposed', spec), false),
      ],
      [
        live('web', cnp('shop', 'web', spec)),
        live('api', cnp('shop', 'api', { ...spec, ingress: [{}] })),
        live('queued', cnp('shop', 'queued', spec)),
        live('by-hand', cnp('shop', 'by-hand', spec)),
      ],
    );
    expect(r.inSync).toBe(1);
    expect(r.proposed).toBe(1);
    expect(r.differs).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'api', file: 'namespaces/shop/api.yaml', source: 'dump.yaml/api', fields: ['spec.ingress'] }]);
    expect(r.onlyInRepository.map((e) => e.name)).toEqual(['db']);
    expect(r.onlyInCluster).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'by-hand', source: 'dump.yaml/by-hand' }]);
    expect(r.liveButNotApplied.map((e) => e.name)).toEqual(['queued']);
  });

  it('a label changed in the cluster is drift; the same name in another kind is another policy', () => {
    const r = detectDrift([repo('web', cnp('shop', 'web', spec, { labels: { team: 'a' } }))], [live('web', cnp('shop', 'web', spec, { labels: { team: 'b' } })), live('web', { kind: 'NetworkPolicy', metadata: { name: 'web' }, spec: {} }, 'NetworkPolicy')]);
    expect(r.differs[0]!.fields).toEqual(['metadata.labels']);
    expect(r.onlyInCluster.map((e) => e.kind)).toEqual(['NetworkPolicy']);
  });

  it('a NetworkPolicy is compared with the API server defaults filled in (policyTypes, protocol TCP)', () => {
    const written = { kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } };
    const served = { kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] } };
    expect(detectDrift([repo('web', written, true, 'NetworkPolicy')], [live('web', served, 'NetworkPolicy')]).inSync).toBe(1);
    const udp = { ...served, spec: { ...served.spec, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] } };
    expect(detectDrift([repo('web', written, true, 'NetworkPolicy')], [live('web', udp, 'NetworkPolicy')]).differs[0]!.fields).toEqual(['spec.ingress']);
  });
});
