/**
 * @module understand/well-known — names of well-known platform services and debugging tools, and how a
 * workload's name or label values are matched against them.
 *
 * A name matches a well-known name when its dash-separated words contain the well-known name's words in a
 * row: `ingress-nginx-controller` matches `ingress-nginx`, `kube-prometheus-stack-prometheus` matches
 * `prometheus`. `unless` words veto a match (`prometheus-node-exporter` is a scrape target, not a scraper).
 */
import type { Labels } from '../cluster/index.js';
import type { PlatformRole } from '../inventory/index.js';

/** Well-known names of one kind of platform service. */
export interface NameRule {
  readonly role: PlatformRole;
  /** What kind of service, for evidence ("a well-known DNS server"). */
  readonly what: string;
  readonly names: readonly string[];
  readonly unless?: readonly string[];
}

/**
 * Checked in order; the first rule that matches decides the role. Admission webhooks come first so that
 * `vault-agent-injector` is a webhook rather than Vault itself. Webhooks are mostly found by traffic
 * (calls from kube-apiserver), so only unambiguous names are listed: a bare `webhook` word is as likely an
 * application receiving webhooks from the Internet.
 */
export const PLATFORM_NAME_RULES: readonly NameRule[] = [
  {
    role: 'admission-webhook',
    what: 'admission webhook',
    names: ['vault-agent-injector', 'sidecar-injector', 'gatekeeper-controller-manager', 'kyverno-admission-controller', 'cert-manager-webhook', 'admission-webhook'],
  },
  { role: 'dns', what: 'DNS server', names: ['coredns', 'kube-dns', 'node-local-dns', 'nodelocaldns'], unless: ['autoscaler'] },
  {
    role: 'ingress-controller',
    what: 'ingress controller',
    names: [
      'ingress-nginx',
      'nginx-ingress',
      'traefik',
      'contour',
      'envoy',
      'haproxy-ingress',
      'kubernetes-ingress',
      'ingressgateway',
      'emissary-ingress',
      'ambassador',
      'kong',
      'skipper-ingress',
    ],
    unless: ['admission', 'certgen'],
  },
  { role: 'secrets', what: 'secret manager', names: ['vault', 'external-secrets', 'sealed-secrets', 'secrets-store-csi-driver', 'csi-secrets-store'] },
  {
    role: 'tracing',
    what: 'tracing collector',
    names: ['otel-collector', 'opentelemetry-collector', 'otel-agent', 'jaeger', 'tempo', 'zipkin'],
    unless: ['operator'],
  },
  {
    role: 'metrics',
    what: 'metrics scraper',
    names: ['prometheus', 'vmagent', 'victoria-metrics-agent', 'datadog', 'datadog-agent', 'grafana-agent', 'alloy'],
    unless: ['operator', 'node-exporter', 'kube-state-metrics', 'alertmanager', 'pushgateway', 'adapter', 'cluster-agent', 'blackbox-exporter'],
  },
];

/** Namespaces whose name says which kind of platform service runs there; traffic must still agree. */
export const PLATFORM_NAMESPACE_HINTS: Readonly<Record<string, PlatformRole>> = {
  'kube-system': 'dns',
  'ingress-nginx': 'ingress-controller',
  traefik: 'ingress-controller',
  projectcontour: 'ingress-controller',
  kong: 'ingress-controller',
  'haproxy-controller': 'ingress-controller',
  'envoy-gateway-system': 'ingress-controller',
  'istio-ingress': 'ingress-controller',
  vault: 'secrets',
  'external-secrets': 'secrets',
  'sealed-secrets': 'secrets',
  tracing: 'tracing',
  jaeger: 'tracing',
  tempo: 'tracing',
  opentelemetry: 'tracing',
  otel: 'tracing',
};

/** Words in a workload name that mark a debugging pod (`netshoot`, `kubectl debug --copy-to web-debug`, node debuggers). */
export const DEBUG_NAME_WORDS = ['debug', 'debugger', 'netshoot', 'busybox', 'toolbox', 'dnsutils', 'nettools', 'network-multitool', 'tmp-shell'] as const;

/** Label keys whose values name what a workload is (besides its own name). */
export const NAME_LABEL_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component'] as const;

const words = (s: string): string[] => s.toLowerCase().split(/[-_.]+/).filter((w) => w !== '');

/** True when `name`'s words contain `wanted`'s words in a row. */
export function containsWords(name: string, wanted: string): boolean {
  const have = words(name);
  const want = words(wanted);
  if (want.length === 0) return false;
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((w, j) => have[i + j] === w)) return true;
  }
  return false;
}

/** The first of `names` that `candidate` contains, unless it also contains one of `unless`. */
export function matchName(candidate: string, names: readonly string[], unless: readonly string[] = []): string | undefined {
  if (unless.some((u) => containsWords(candidate, u))) return undefined;
  return names.find((n) => containsWords(candidate, n));
}

/** A match of a well-known platform name, with the evidence sentence. */
export interface NameMatch {
  readonly rule: NameRule;
  readonly evidence: string;
}

/** The first platform name rule the workload's name or name-like label values match. */
export function matchPlatformName(name: string, labels: Labels): NameMatch | undefined {
  for (const rule of PLATFORM_NAME_RULES) {
    const byLabel = NAME_LABEL_KEYS.find((k) => labels[k] !== undefined && matchName(labels[k], rule.names, rule.unless) !== undefined);
    if (byLabel !== undefined) return { rule, evidence: `label ${byLabel}=${labels[byLabel]}: a well-known ${rule.what}` };
    const byName = matchName(name, rule.names, rule.unless);
    if (byName !== undefined) return { rule, evidence: `name "${name}" is a well-known ${rule.what} (${byName})` };
  }
  return undefined;
}
