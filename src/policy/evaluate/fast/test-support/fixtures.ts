/**
 * @module policy/evaluate/fast/test-support/fixtures — typed builders for the fast evaluator's unit
 * tests: endpoints as Cilium identities, policies as typed objects, connections.
 */
import type { Connection, ConnectionProtocol, Endpoint, EvaluateOptions, Verdict } from '../../types.js';
import type { LoadedPolicy, NetworkPolicySpec, Rule } from '../../../model/types.js';
import { compileEvaluator } from '../compile.js';

/** A pod in `ns` of the local cluster `default`: k8s labels plus namespace and cluster labels. */
export function pod(ns: string, labels: Record<string, string>, extra: Omit<Endpoint, 'labels'> = {}): Endpoint {
  return {
    labels: [
      ...Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`),
      `k8s:io.kubernetes.pod.namespace=${ns}`,
      'k8s:io.cilium.k8s.policy.cluster=default',
    ],
    ...extra,
  };
}

/** A reserved identity (`reserved:host`, `reserved:world` …), optionally with an address and names. */
export function reserved(name: string | readonly string[], extra: Omit<Endpoint, 'labels'> = {}): Endpoint {
  const names = typeof name === 'string' ? [name] : name;
  return { labels: names.map((n) => `reserved:${n}`), ...extra };
}

export function world(ip?: string, names?: readonly string[]): Endpoint {
  return reserved('world', { ...(ip === undefined ? {} : { ip }), ...(names === undefined ? {} : { names }) });
}

export function cnp(namespace: string, name: string, spec: Rule): LoadedPolicy {
  return { policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec } };
}

export function cnpSpecs(namespace: string, name: string, specs: readonly Rule[]): LoadedPolicy {
  return { policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, specs } };
}

export function ccnp(name: string, spec: Rule): LoadedPolicy {
  return { policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec } };
}

export function np(namespace: string, name: string, spec: NetworkPolicySpec): LoadedPolicy {
  return { policy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec } };
}

export function conn(source: Endpoint, destination: Endpoint, port = 80, protocol: ConnectionProtocol = 'TCP'): Connection {
  return { source, destination, port, protocol };
}

/** Compiles and evaluates one connection. */
export function verdict(policies: readonly LoadedPolicy[], c: Connection, options?: EvaluateOptions): Verdict {
  return compileEvaluator(policies, options).evaluate(c);
}

/** A compact form for assertions: `egress/ingress` decisions. */
export function decisions(v: Verdict): string {
  return `${v.egress.decision}/${v.ingress.decision}`;
}
