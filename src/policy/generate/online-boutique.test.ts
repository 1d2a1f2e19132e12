/**
 * Online Boutique: the set generated from its call graph (every `*_ADDR` connection observed, plus the world
 * reaching the frontend through its LoadBalancer) against the NetworkPolicies the project ships
 * (shared/corpora/online-boutique/kustomize/components/network-policies). On every connection those restrict, the
 * generated set agrees; where they allow everything (the frontend's ingress, every egress), the generated set
 * allows exactly what was observed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { identityContext, peerEndpoint } from '../endpoints.js';
import { compileEvaluator, type Connection } from '../evaluate/index.js';
import { readPolicies } from '../model/index.js';
import { asEnforcing } from '../simulate.js';
import { generatePolicies } from './index.js';
import { handFixture, type HandEdge, type HandWorkload } from './test-support/fixtures.js';
import { invalidPolicies, loadedOf, unexplainedDrops, unobservedAllows } from './test-support/invariants.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpora/online-boutique/', import.meta.url));
const have = existsSync(`${corpus}_derived/callgraph.yaml`);
if (!have) console.warn(`skipping the Online Boutique agreement test: ${corpus} is absent (the shared corpora live beside the repository)`);

interface CallGraph {
  readonly workloads: readonly { name: string; podLabels: Record<string, string> }[];
  readonly edges: readonly { src: string; dst: string; targetPort: number; protocol: 'TCP' }[];
}

describe.skipIf(!have)('Online Boutique', async () => {
  const graph = have ? (parse(readFileSync(`${corpus}_derived/callgraph.yaml`, 'utf8')) as CallGraph) : { workloads: [], edges: [] };
  const upstream = have ? await readPolicies([`${corpus}kustomize/components/network-policies`], { defaultNamespace: 'default' }) : [];
  const workloads: HandWorkload[] = graph.workloads.map((w) => ({ id: `default/${w.name}`, labels: w.podLabels }));
  const edges: HandEdge[] = [
    ...graph.edges.map((e) => ({ from: `default/${e.src}`, to: `default/${e.dst}`, port: e.targetPort, protocol: e.protocol })),
    { from: 'ip:203.0.113.50', to: 'default/frontend', port: 8080 },
  ];
  const f = handFixture(workloads, edges);
  const r = generatePolicies(f.inventory, f.understanding, f.cluster, f.config);

  it('every service gets a valid, sound, tight policy', () => {
    expect(r.perWorkload.map((p) => p.workload.name)).toEqual(graph.workloads.map((w) => w.name).sort());
    expect(invalidPolicies(r)).toEqual([]);
    expect(unexplainedDrops(f, r, [])).toEqual([]);
    expect(unobservedAllows(f, r, [])).toEqual([]);
  });

  it('agrees with the upstream NetworkPolicies where they restrict, and allows exactly what was observed where they do not', () => {
    const ctx = identityContext(undefined);
    const { baseline, perWorkload } = loadedOf(r);
    const generated = compileEvaluator([...baseline, ...perWorkload.map(asEnforcing)], { clusterName: ctx.clusterName });
    const theirs = compileEvaluator(upstream, { clusterName: ctx.clusterName });
    const observed = new Set(graph.edges.map((e) => `${e.src}>${e.dst}:${e.targetPort}`));
    const ports = [...new Set(graph.edges.map((e) => e.targetPort))];
    const endpoint = (name: string) => peerEndpoint({ namespace: 'default', kind: 'Deployment', name }, ctx, () => graph.workloads.find((w) => w.name === name)!.podLabels);
    let restricted = 0;
    for (const a of graph.workloads) {
      for (const b of graph.workloads) {
        for (const port of ports) {
          const c: Connection = { source: endpoint(a.name), destination: endpoint(b.name), protocol: 'TCP', port };
          const key = `${a.name}>${b.name}:${port}`;
          const ours = generated.evaluate(c);
          const up = theirs.evaluate(c);
          const upIngress = up.ingress.decision === 'allowed' || up.ingress.decision === 'not-isolated';
          if (!upIngress) {
            restricted++;
            expect(ours.ingress.decision, `${key}: upstream denies ingress`).not.toBe('allowed');
          }
          expect(ours.allowed, `${key}: observed ${observed.has(key)}`).toBe(observed.has(key));
          // Whatever was observed, upstream allows as well: the two describe the same application.
          if (observed.has(key)) expect(up.allowed, key).toBe(true);
        }
      }
    }
    expect(restricted).toBeGreaterThan(100);
  });

  it('the frontend, open to all in upstream, takes only its observed callers: the load generator and the world', () => {
    const frontend = r.perWorkload.find((p) => p.workload.name === 'frontend')!.policy;
    expect(frontend.spec!.ingress).toEqual([
      { fromEndpoints: [{ matchLabels: { app: 'loadgenerator' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      { fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
    ]);
  });
});
