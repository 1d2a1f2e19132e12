/**
 * @module policy/evaluate/corpora/cilium-starwars — the Star Wars getting-started demo
 * (shared/corpora/cilium-starwars): endpoints and documented outcomes from `_derived/expectations.yaml`,
 * policies from `examples/minikube/`. Test-only.
 *
 * Outcome vocabulary of the corpus → ours: `allowed` → allow, or allow-l3l4 when the step's policy has
 * L7 rules ("an L3/L4-only evaluator should answer 'allowed at L4, subject to L7 rules'"); `denied-l7`
 * → allow-l3l4 (Envoy answers 403; L3/L4 lets it through); `denied-l3l4` → deny at the deathstar's
 * ingress (default deny).
 */
import { parse } from 'yaml';
import type { LoadedPolicy } from '../../model/types.js';
import type { Connection, Endpoint } from '../types.js';
import { corpusDir, loadPolicies, readText, type ExpectedVerdict } from './shared.js';

export const STARWARS = 'cilium-starwars';

interface StarwarsCheck {
  readonly what: string;
  readonly connection: Connection;
  readonly expected: ExpectedVerdict;
}

export interface StarwarsCase {
  readonly name: string;
  readonly policies: readonly LoadedPolicy[];
  readonly checks: readonly StarwarsCheck[];
}

interface Step {
  readonly policies: readonly string[];
  readonly checks: readonly { src: string; dst: string; proto: 'TCP'; port: number; http?: string; expect: string }[];
}

interface Expectations {
  readonly namespace: string;
  readonly endpoints: Readonly<Record<string, readonly string[]>>;
  readonly steps: readonly Step[];
}

/** `deathstar (2 replicas)` → `deathstar`. */
const endpointName = (key: string): string => key.replace(/\s*\(.*\)\s*$/, '');

export function loadStarwarsCases(): StarwarsCase[] {
  const dir = corpusDir(STARWARS);
  const doc = parse(readText(new URL('_derived/expectations.yaml', dir))) as Expectations;
  const endpoints = new Map<string, Endpoint>(
    Object.entries(doc.endpoints).map(([k, labels], i) => [endpointName(k), { labels, ip: `10.0.1.${i + 10}` }]),
  );
  const load = (file: string): LoadedPolicy[] =>
    loadPolicies(readText(new URL(`examples/minikube/${file}`, dir)), `cilium-starwars/examples/minikube/${file}`, doc.namespace);
  const ep = (name: string): Endpoint => {
    const e = endpoints.get(name);
    if (e === undefined) throw new Error(`cilium-starwars: no endpoint '${name}' in expectations.yaml`);
    return e;
  };

  const cases: StarwarsCase[] = doc.steps.map((step, i) => {
    const policies = step.policies.flatMap(load);
    const hasL7 = step.policies.some((f) => /rules:\s*\n\s*http:/.test(readText(new URL(`examples/minikube/${f}`, dir))));
    const checks = step.checks.map((c): StarwarsCheck => {
      const expected: ExpectedVerdict =
        c.expect === 'denied-l3l4' ? 'deny-ingress-default' : c.expect === 'denied-l7' || hasL7 ? 'allow-l3l4' : 'allow';
      return {
        what: `${c.src} -> ${c.dst} ${c.proto}/${c.port} ${c.http ?? ''} (documented: ${c.expect})`,
        connection: { source: ep(c.src), destination: ep(c.dst), protocol: c.proto, port: c.port },
        expected,
      };
    });
    return { name: `step ${i + 1}: ${step.policies.length === 0 ? 'no policy' : step.policies.join(' + ')}`, policies, checks };
  });

  // extra_semantics: sw_deny_policy.yaml alone — `ingress: [{}]` on org=empire: both ships denied, egress free.
  const deny = load('sw_deny_policy.yaml');
  cases.push({
    name: 'extra: sw_deny_policy.yaml (ingress: [{}] allows nothing)',
    policies: deny,
    checks: [
      { what: 'xwing -> deathstar TCP/80', connection: { source: ep('xwing'), destination: ep('deathstar'), protocol: 'TCP', port: 80 }, expected: 'deny-ingress-default' },
      { what: 'tiefighter -> deathstar TCP/80', connection: { source: ep('tiefighter'), destination: ep('deathstar'), protocol: 'TCP', port: 80 }, expected: 'deny-ingress-default' },
      { what: 'deathstar -> xwing TCP/80 (egress unrestricted, xwing not selected)', connection: { source: ep('deathstar'), destination: ep('xwing'), protocol: 'TCP', port: 80 }, expected: 'allow' },
    ],
  });
  return cases;
}
