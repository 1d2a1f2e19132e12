/**
 * @module sample/catalog — the fixed part of every sample: the platform (CoreDNS, Cilium,
 * Prometheus, an OTel collector, Vault, ingress-nginx, cert-manager), the Online Boutique call graph
 * (GoogleCloudPlatform/microservices-demo, encoded here from its manifests: names, labels, ports and
 * who calls whom), a second team calling it across namespaces, batch jobs, debug pods and the
 * planted problems the inventory must find.
 *
 * Data only. `topology.ts` turns these specs (and the synthetic ones of larger sizes) into the
 * sample cluster.
 */
import type { PlatformRole, WorkloadClass } from '../inventory/index.js';
import type { CallOutcome, Labels, SampleKind } from './model.js';

export interface NamespaceSpec {
  readonly name: string;
  /** Owning team (`team` label); omitted for the planted namespace without owner. */
  readonly team?: string;
  /** DNS through Cilium's DNS proxy (DNS L7 flows and `destination_names`). */
  readonly dnsVisibility: boolean;
}

export interface PortSpec {
  readonly port: number;
  readonly name?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

export interface WorkloadSpec {
  readonly namespace: string;
  readonly name: string;
  readonly kind: SampleKind;
  /** Template labels (stable ones only; controllers add the volatile ones). Empty for `kubectl create job`. */
  readonly podLabels: Labels;
  /** `spec.selector.matchLabels`. @default podLabels */
  readonly selector?: Labels;
  /** @default 'default' */
  readonly serviceAccount?: string;
  readonly image: string;
  readonly ports?: readonly PortSpec[];
  /** @default 1 */
  readonly replicas?: number;
  readonly hostNetwork?: boolean;
  readonly probePort?: number;
  readonly metricsPort?: number;
  /** CronJob schedule, UTC. */
  readonly schedule?: string;
  /** Job: hours after the window start it runs; bare Pod: when its debug session starts. */
  readonly atHours?: number;
  /** How long a Job run or debug session lasts. @default 3 */
  readonly minutes?: number;
  /** A bare pod later given an ephemeral container with `kubectl debug`. */
  readonly ephemeralContainer?: boolean;
  /** A CronJob whose schedule fires in the window but that never ran (planted). */
  readonly neverRuns?: boolean;
  readonly class: WorkloadClass;
  readonly role?: PlatformRole;
  /** Sends traces to the OTel collector. */
  readonly traces?: boolean;
  /** Reads secrets from Vault. */
  readonly secrets?: boolean;
  /** Talks to the Kubernetes API server. */
  readonly apiserver?: boolean;
}

export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  /** Omitted for a Service without selector. */
  readonly selector?: Labels;
  readonly ports: readonly { readonly port: number; readonly targetPort?: number; readonly name?: string; readonly protocol?: 'TCP' | 'UDP' }[];
  /** @default 'ClusterIP' */
  readonly type?: 'ClusterIP' | 'LoadBalancer';
  readonly clusterIP?: string;
}

/**
 * A call. `from`: `ns/name` (a workload) or `@world`, `@kube-apiserver`, `@remote-node`.
 * `to`: `svc:ns/name` (through the Service: DNS lookup, port is the Service port, split over the
 * Service's backends), `ns/name` (straight to the workload's pods on a container port),
 * `@kube-apiserver`, `@kubelet`, `dns:<name>` (an external name, looked up first) or `ip:<address>`.
 */
export interface CallSpec {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /** Relative rate. */
  readonly weight?: number;
  /** Exact connections (per run for Job runs and debug sessions); not scaled by the flow budget. */
  readonly fixed?: number;
  /** @default { type: 'ok' } */
  readonly outcome?: CallOutcome;
}

/** External names and how many addresses each resolves to. */
export const EXTERNAL_NAMES: readonly { readonly name: string; readonly ips: number }[] = [
  { name: 'api.stripe.com', ips: 2 },
  { name: 'smtp.sendgrid.net', ips: 2 },
  { name: 'api.github.com', ips: 1 },
  { name: 'api.honeycomb.io', ips: 1 },
  { name: 'acme-v02.api.letsencrypt.org', ips: 1 },
  { name: 'backup.objectstore.example', ips: 1 },
  { name: 'example.com', ips: 1 },
  { name: 'hooks.slack.com', ips: 1 },
  { name: 'oauth2.googleapis.com', ips: 2 },
  { name: 's3.eu-west-1.amazonaws.com', ips: 3 },
  { name: 'api.twilio.com', ips: 1 },
  { name: 'api.pagerduty.com', ips: 1 },
  { name: 'sentry.io', ips: 1 },
  { name: 'api.segment.io', ips: 1 },
  { name: 'registry.npmjs.org', ips: 2 },
  { name: 'login.microsoftonline.com', ips: 2 },
  { name: 'api.openai.com', ips: 1 },
  { name: 'pypi.org', ips: 1 },
];

/** Names the synthetic apps of larger samples may call. */
export const SYNTHETIC_EXTERNALS = [
  'api.stripe.com',
  'hooks.slack.com',
  'oauth2.googleapis.com',
  's3.eu-west-1.amazonaws.com',
  'api.twilio.com',
  'api.pagerduty.com',
  'sentry.io',
  'api.segment.io',
  'login.microsoftonline.com',
  'api.openai.com',
] as const;

/** The `labels` option of `cilium-config`: only these keys (and Cilium's defaults) make identities. */
export const CILIUM_IDENTITY_LABELS =
  'k8s:io\\.kubernetes\\.pod\\.namespace k8s:io\\.cilium\\.k8s\\.policy k8s:app k8s:k8s-app k8s:name k8s:run k8s:track';

export const CORE_NAMESPACES: readonly NamespaceSpec[] = [
  { name: 'analytics', team: 'data', dnsVisibility: false },
  { name: 'billing', team: 'finance', dnsVisibility: true },
  { name: 'boutique', team: 'shop', dnsVisibility: true },
  { name: 'cert-manager', team: 'platform', dnsVisibility: true },
  { name: 'default', team: 'platform', dnsVisibility: true },
  { name: 'ingress-nginx', team: 'platform', dnsVisibility: true },
  { name: 'kube-system', team: 'platform', dnsVisibility: false },
  // Planted: no team label (ownership-no-team).
  { name: 'marketing', dnsVisibility: true },
  { name: 'monitoring', team: 'platform', dnsVisibility: true },
  { name: 'vault', team: 'security', dnsVisibility: true },
];

const BOUTIQUE_IMAGE = 'us-central1-docker.pkg.dev/google-samples/microservices-demo';

/** Labels of an Online Boutique service: upstream's `app`, plus the recommended labels. */
function boutique(name: string, extra: Labels = {}): Labels {
  return { app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'online-boutique', ...extra };
}

function boutiqueApp(
  name: string,
  port: number | undefined,
  opts: { replicas?: number; probePort?: number; traces?: boolean; secrets?: boolean; sa?: string } = {},
): WorkloadSpec {
  return {
    namespace: 'boutique',
    name,
    kind: 'Deployment',
    podLabels: boutique(name),
    selector: { app: name },
    serviceAccount: opts.sa ?? name,
    image: `${BOUTIQUE_IMAGE}/${name}:v0.10.2`,
    ports: port === undefined ? [] : [{ port, name: port === 8080 ? 'http' : 'grpc' }],
    replicas: opts.replicas ?? 1,
    ...(opts.probePort !== undefined ? { probePort: opts.probePort } : {}),
    class: 'application',
    traces: opts.traces ?? true,
    ...(opts.secrets ? { secrets: true } : {}),
  };
}

export const CORE_WORKLOADS: readonly WorkloadSpec[] = [
  // kube-system
  {
    namespace: 'kube-system',
    name: 'coredns',
    kind: 'Deployment',
    podLabels: { 'k8s-app': 'kube-dns' },
    serviceAccount: 'coredns',
    image: 'registry.k8s.io/coredns/coredns:v1.11.3',
    ports: [
      { port: 53, name: 'dns', protocol: 'UDP' },
      { port: 53, name: 'dns-tcp' },
      { port: 9153, name: 'metrics' },
    ],
    replicas: 2,
    probePort: 8080,
    metricsPort: 9153,
    class: 'platform',
    role: 'dns',
    apiserver: true,
  },
  {
    namespace: 'kube-system',
    name: 'cilium',
    kind: 'DaemonSet',
    podLabels: { 'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent', 'app.kubernetes.io/part-of': 'cilium' },
    selector: { 'k8s-app': 'cilium' },
    serviceAccount: 'cilium',
    image: 'quay.io/cilium/cilium:v1.18.4',
    ports: [
      { port: 9962, name: 'prometheus' },
      { port: 4244, name: 'peer-service' },
    ],
    hostNetwork: true,
    metricsPort: 9962,
    // Provides no service other workloads call: not a platform service in tighten's sense.
    class: 'application',
  },
  // monitoring
  {
    namespace: 'monitoring',
    name: 'prometheus-k8s',
    kind: 'StatefulSet',
    podLabels: {
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/instance': 'k8s',
      'app.kubernetes.io/component': 'prometheus',
      'app.kubernetes.io/part-of': 'kube-prometheus',
    },
    selector: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' },
    serviceAccount: 'prometheus-k8s',
    image: 'quay.io/prometheus/prometheus:v3.5.0',
    ports: [{ port: 9090, name: 'web' }],
    probePort: 9090,
    class: 'platform',
    role: 'metrics',
    apiserver: true,
  },
  {
    namespace: 'monitoring',
    name: 'otel-collector',
    kind: 'Deployment',
    podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': 'otel' },
    serviceAccount: 'otel-collector',
    image: 'otel/opentelemetry-collector-contrib:0.115.0',
    ports: [
      { port: 4317, name: 'otlp-grpc' },
      { port: 4318, name: 'otlp-http' },
      { port: 8888, name: 'metrics' },
      { port: 13133, name: 'health' },
    ],
    replicas: 2,
    probePort: 13133,
    metricsPort: 8888,
    class: 'platform',
    role: 'tracing',
    apiserver: true,
  },
  // vault
  {
    namespace: 'vault',
    name: 'vault',
    kind: 'StatefulSet',
    podLabels: { 'app.kubernetes.io/name': 'vault', 'app.kubernetes.io/instance': 'vault' },
    serviceAccount: 'vault',
    image: 'hashicorp/vault:1.18.2',
    ports: [
      { port: 8200, name: 'http' },
      { port: 8201, name: 'https-internal' },
    ],
    replicas: 3,
    probePort: 8200,
    metricsPort: 8200,
    class: 'platform',
    role: 'secrets',
    apiserver: true,
  },
  // ingress-nginx
  {
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    kind: 'Deployment',
    podLabels: {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/instance': 'ingress-nginx',
      'app.kubernetes.io/component': 'controller',
    },
    serviceAccount: 'ingress-nginx',
    image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1',
    ports: [
      { port: 80, name: 'http' },
      { port: 443, name: 'https' },
      { port: 10254, name: 'metrics' },
      { port: 8443, name: 'webhook' },
    ],
    replicas: 2,
    probePort: 10254,
    metricsPort: 10254,
    class: 'platform',
    role: 'ingress-controller',
    apiserver: true,
  },
  // cert-manager
  {
    namespace: 'cert-manager',
    name: 'cert-manager',
    kind: 'Deployment',
    podLabels: {
      'app.kubernetes.io/name': 'cert-manager',
      'app.kubernetes.io/instance': 'cert-manager',
      'app.kubernetes.io/component': 'controller',
    },
    serviceAccount: 'cert-manager',
    image: 'quay.io/jetstack/cert-manager-controller:v1.16.2',
    ports: [
      { port: 9402, name: 'http-metrics' },
      { port: 9403, name: 'http-healthz' },
    ],
    probePort: 9403,
    metricsPort: 9402,
    // An operator with its own egress (API server, ACME): it gets a policy like an application.
    class: 'application',
    apiserver: true,
  },
  {
    namespace: 'cert-manager',
    name: 'cert-manager-webhook',
    kind: 'Deployment',
    podLabels: {
      'app.kubernetes.io/name': 'webhook',
      'app.kubernetes.io/instance': 'cert-manager',
      'app.kubernetes.io/component': 'webhook',
    },
    serviceAccount: 'cert-manager-webhook',
    image: 'quay.io/jetstack/cert-manager-webhook:v1.16.2',
    ports: [
      { port: 10250, name: 'https' },
      { port: 6080, name: 'healthcheck' },
    ],
    probePort: 6080,
    class: 'platform',
    role: 'admission-webhook',
    apiserver: true,
  },
  // boutique: the Online Boutique call graph (upstream manifests: kubernetes-manifests/*.yaml)
  boutiqueApp('adservice', 9555),
  boutiqueApp('cartservice', 7070, { replicas: 2 }),
  boutiqueApp('checkoutservice', 5050, { secrets: true }),
  boutiqueApp('currencyservice', 7000, { replicas: 2 }),
  boutiqueApp('emailservice', 8080),
  boutiqueApp('frontend', 8080, { replicas: 2, probePort: 8080 }),
  boutiqueApp('loadgenerator', undefined, { traces: false }),
  boutiqueApp('paymentservice', 50051, { secrets: true }),
  boutiqueApp('productcatalogservice', 3550, { replicas: 2 }),
  boutiqueApp('recommendationservice', 8080),
  boutiqueApp('shippingservice', 50051),
  {
    namespace: 'boutique',
    name: 'redis-cart',
    kind: 'Deployment',
    podLabels: boutique('redis-cart'),
    selector: { app: 'redis-cart' },
    image: 'redis:7.4-alpine',
    ports: [
      { port: 6379, name: 'redis' },
      { port: 9121, name: 'metrics' },
    ],
    probePort: 6379,
    metricsPort: 9121,
    class: 'application',
  },
  // Planted: a canary told apart from the stable Deployment only by `track: canary`.
  {
    namespace: 'boutique',
    name: 'productcatalogservice-canary',
    kind: 'Deployment',
    podLabels: boutique('productcatalogservice', { track: 'canary' }),
    selector: { app: 'productcatalogservice', track: 'canary' },
    serviceAccount: 'productcatalogservice',
    image: `${BOUTIQUE_IMAGE}/productcatalogservice:v0.10.3-rc.1`,
    ports: [{ port: 3550, name: 'grpc' }],
    class: 'application',
    traces: true,
  },
  // `kubectl run debug --image=busybox -n boutique -- sleep 1d`
  {
    namespace: 'boutique',
    name: 'debug',
    kind: 'Pod',
    podLabels: { run: 'debug' },
    image: 'busybox:1.37',
    atHours: 33.2,
    minutes: 25,
    class: 'debug',
  },
  // billing
  {
    namespace: 'billing',
    name: 'ledger-db',
    kind: 'StatefulSet',
    podLabels: { app: 'ledger-db', 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'ledger-db' },
    selector: { app: 'ledger-db' },
    serviceAccount: 'ledger-db',
    image: 'postgres:16.4',
    ports: [
      { port: 5432, name: 'postgres' },
      { port: 9187, name: 'metrics' },
    ],
    probePort: 5432,
    metricsPort: 9187,
    class: 'application',
  },
  // Planted: its only stable label, `component`, is not identity-relevant under the cilium-config filter.
  {
    namespace: 'billing',
    name: 'invoice-worker',
    kind: 'Deployment',
    podLabels: { component: 'invoice-worker' },
    serviceAccount: 'invoice-worker',
    image: 'ghcr.io/example-shop/invoice-worker:2.3.1',
    ports: [{ port: 8080, name: 'http' }],
    replicas: 2,
    probePort: 8080,
    class: 'application',
    traces: true,
    secrets: true,
  },
  {
    namespace: 'billing',
    name: 'nightly-invoice',
    kind: 'CronJob',
    podLabels: { app: 'nightly-invoice', 'app.kubernetes.io/name': 'nightly-invoice' },
    serviceAccount: 'nightly-invoice',
    image: 'ghcr.io/example-shop/nightly-invoice:2.3.1',
    schedule: '0 1 * * *',
    minutes: 4,
    class: 'batch',
  },
  {
    namespace: 'billing',
    name: 'ledger-migrate-v42',
    kind: 'Job',
    podLabels: { app: 'ledger-migrate', 'app.kubernetes.io/name': 'ledger-migrate' },
    image: 'ghcr.io/example-shop/ledger-migrate:42',
    atHours: 2.5,
    minutes: 3,
    class: 'batch',
  },
  // analytics: team data, reads the shop across namespaces; no DNS visibility
  {
    namespace: 'analytics',
    name: 'catalog-indexer',
    kind: 'Deployment',
    podLabels: { app: 'catalog-indexer', 'app.kubernetes.io/name': 'catalog-indexer' },
    serviceAccount: 'catalog-indexer',
    image: 'ghcr.io/example-data/catalog-indexer:1.8.0',
    ports: [{ port: 8080, name: 'http' }],
    probePort: 8080,
    class: 'application',
    traces: true,
  },
  {
    namespace: 'analytics',
    name: 'report-api',
    kind: 'Deployment',
    podLabels: { app: 'report-api', 'app.kubernetes.io/name': 'report-api' },
    serviceAccount: 'report-api',
    image: 'ghcr.io/example-data/report-api:0.4.2',
    ports: [{ port: 8080, name: 'http' }],
    probePort: 8080,
    metricsPort: 8080,
    class: 'application',
  },
  {
    namespace: 'analytics',
    name: 'warehouse',
    kind: 'StatefulSet',
    podLabels: { app: 'warehouse', 'app.kubernetes.io/name': 'clickhouse', 'app.kubernetes.io/instance': 'warehouse' },
    selector: { app: 'warehouse' },
    serviceAccount: 'warehouse',
    image: 'clickhouse/clickhouse-server:24.8',
    ports: [
      { port: 8123, name: 'http' },
      { port: 9000, name: 'native' },
    ],
    probePort: 8123,
    class: 'application',
  },
  // Planted: `kubectl create job backfill --image=…` — its pods carry only the Job's volatile labels.
  {
    namespace: 'analytics',
    name: 'backfill',
    kind: 'Job',
    podLabels: {},
    image: 'ghcr.io/example-data/backfill:0.9.0',
    atHours: 20,
    minutes: 12,
    class: 'batch',
  },
  // Planted: fires daily at 04:30 UTC, never ran in the window.
  {
    namespace: 'analytics',
    name: 'daily-export',
    kind: 'CronJob',
    podLabels: { app: 'daily-export', 'app.kubernetes.io/name': 'daily-export' },
    image: 'ghcr.io/example-data/daily-export:1.0.3',
    schedule: '30 4 * * *',
    neverRuns: true,
    class: 'batch',
  },
  // `kubectl run tmp-shell --image=nicolaka/netshoot`, then `kubectl debug -it tmp-shell --image=busybox`
  {
    namespace: 'analytics',
    name: 'tmp-shell',
    kind: 'Pod',
    podLabels: { run: 'tmp-shell' },
    image: 'nicolaka/netshoot:v0.13',
    atHours: 50,
    minutes: 40,
    ephemeralContainer: true,
    class: 'debug',
  },
  // marketing: no team label. Planted: two Deployments whose pods both carry only `app: web`.
  {
    namespace: 'marketing',
    name: 'landing-page',
    kind: 'Deployment',
    podLabels: { app: 'web' },
    image: 'nginx:1.27',
    ports: [{ port: 8080, name: 'http' }],
    replicas: 2,
    probePort: 8080,
    class: 'application',
  },
  {
    namespace: 'marketing',
    name: 'promo-site',
    kind: 'Deployment',
    podLabels: { app: 'web' },
    image: 'ghcr.io/example-marketing/promo-site:1.4.0',
    ports: [{ port: 8080, name: 'http' }],
    probePort: 8080,
    class: 'application',
  },
  // Planted: in the dump, never in a flow (no probes, no callers, calls nobody).
  {
    namespace: 'marketing',
    name: 'newsletter-signup',
    kind: 'Deployment',
    podLabels: { app: 'newsletter-signup', 'app.kubernetes.io/name': 'newsletter-signup' },
    image: 'ghcr.io/example-marketing/newsletter-signup:0.2.0',
    ports: [{ port: 8080, name: 'http' }],
    class: 'application',
  },
];

const svc = (namespace: string, name: string, port: number, targetPort = port, selector: Labels = { app: name }): ServiceSpec => ({
  namespace,
  name,
  selector,
  ports: [{ port, targetPort, name: port === 80 || targetPort === 8080 ? 'http' : 'grpc' }],
});

export const CORE_SERVICES: readonly ServiceSpec[] = [
  { namespace: 'default', name: 'kubernetes', ports: [{ port: 443, targetPort: 6443, name: 'https' }], clusterIP: '10.96.0.1' },
  {
    namespace: 'kube-system',
    name: 'kube-dns',
    selector: { 'k8s-app': 'kube-dns' },
    ports: [
      { port: 53, name: 'dns', protocol: 'UDP' },
      { port: 53, name: 'dns-tcp' },
      { port: 9153, name: 'metrics' },
    ],
    clusterIP: '10.96.0.10',
  },
  {
    namespace: 'monitoring',
    name: 'prometheus-k8s',
    selector: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' },
    ports: [{ port: 9090, name: 'web' }],
  },
  {
    namespace: 'monitoring',
    name: 'otel-collector',
    selector: { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': 'otel' },
    ports: [
      { port: 4317, name: 'otlp-grpc' },
      { port: 4318, name: 'otlp-http' },
    ],
  },
  {
    namespace: 'vault',
    name: 'vault',
    selector: { 'app.kubernetes.io/name': 'vault', 'app.kubernetes.io/instance': 'vault' },
    ports: [
      { port: 8200, name: 'http' },
      { port: 8201, name: 'https-internal' },
    ],
  },
  {
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    type: 'LoadBalancer',
    selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    ports: [
      { port: 80, name: 'http' },
      { port: 443, name: 'https' },
    ],
  },
  {
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller-admission',
    selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    ports: [{ port: 443, targetPort: 8443, name: 'https-webhook' }],
  },
  {
    namespace: 'cert-manager',
    name: 'cert-manager',
    selector: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'controller' },
    ports: [{ port: 9402, name: 'tcp-prometheus-servicemonitor' }],
  },
  {
    namespace: 'cert-manager',
    name: 'cert-manager-webhook',
    selector: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'webhook' },
    ports: [{ port: 443, targetPort: 10250, name: 'https' }],
  },
  svc('boutique', 'adservice', 9555),
  svc('boutique', 'cartservice', 7070),
  svc('boutique', 'checkoutservice', 5050),
  svc('boutique', 'currencyservice', 7000),
  svc('boutique', 'emailservice', 5000, 8080),
  svc('boutique', 'frontend', 80, 8080),
  { ...svc('boutique', 'frontend-external', 80, 8080, { app: 'frontend' }), type: 'LoadBalancer' },
  svc('boutique', 'paymentservice', 50051),
  svc('boutique', 'productcatalogservice', 3550),
  svc('boutique', 'recommendationservice', 8080),
  svc('boutique', 'redis-cart', 6379),
  svc('boutique', 'shippingservice', 50051),
  svc('billing', 'ledger-db', 5432),
  svc('billing', 'invoice-worker', 8080, 8080, { component: 'invoice-worker' }),
  svc('analytics', 'catalog-indexer', 8080),
  svc('analytics', 'report-api', 8080),
  {
    namespace: 'analytics',
    name: 'warehouse',
    selector: { app: 'warehouse' },
    ports: [
      { port: 8123, name: 'http' },
      { port: 9000, name: 'native' },
    ],
  },
  svc('marketing', 'web', 8080, 8080, { app: 'web' }),
  svc('marketing', 'newsletter-signup', 8080),
];

export const CORE_CALLS: readonly CallSpec[] = [
  // Online Boutique: every *_ADDR of the upstream manifests, through its Service.
  { from: 'boutique/loadgenerator', to: 'svc:boutique/frontend', port: 80, weight: 200 },
  { from: 'boutique/frontend', to: 'svc:boutique/productcatalogservice', port: 3550, weight: 150 },
  { from: 'boutique/frontend', to: 'svc:boutique/currencyservice', port: 7000, weight: 120 },
  { from: 'boutique/frontend', to: 'svc:boutique/cartservice', port: 7070, weight: 80 },
  { from: 'boutique/frontend', to: 'svc:boutique/recommendationservice', port: 8080, weight: 60 },
  { from: 'boutique/frontend', to: 'svc:boutique/adservice', port: 9555, weight: 60 },
  { from: 'boutique/frontend', to: 'svc:boutique/shippingservice', port: 50051, weight: 20 },
  { from: 'boutique/frontend', to: 'svc:boutique/checkoutservice', port: 5050, weight: 10 },
  { from: 'boutique/cartservice', to: 'svc:boutique/redis-cart', port: 6379, weight: 80 },
  { from: 'boutique/recommendationservice', to: 'svc:boutique/productcatalogservice', port: 3550, weight: 60 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/productcatalogservice', port: 3550, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/shippingservice', port: 50051, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/paymentservice', port: 50051, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/emailservice', port: 5000, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/currencyservice', port: 7000, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/cartservice', port: 7070, weight: 10 },
  // External APIs by name.
  { from: 'boutique/paymentservice', to: 'dns:api.stripe.com', port: 443, weight: 10 },
  { from: 'boutique/emailservice', to: 'dns:smtp.sendgrid.net', port: 587, weight: 10 },
  { from: 'boutique/checkoutservice', to: 'dns:api.github.com', port: 443, weight: 2 },
  // Drops that are not policy, on edges that are otherwise allowed.
  { from: 'boutique/frontend', to: 'svc:boutique/cartservice', port: 7070, fixed: 3, outcome: { type: 'source-drop', reason: 'CT_MAP_INSERTION_FAILED' } },
  { from: 'boutique/checkoutservice', to: 'svc:boutique/paymentservice', port: 50051, fixed: 2, outcome: { type: 'source-drop', reason: 'STALE_OR_UNROUTABLE_IP' } },
  // Debug session (`kubectl run debug`): per session.
  { from: 'boutique/debug', to: 'svc:boutique/frontend', port: 80, fixed: 3 },
  { from: 'boutique/debug', to: 'svc:boutique/redis-cart', port: 6379, fixed: 2 },
  { from: 'boutique/debug', to: 'dns:example.com', port: 443, fixed: 1 },
  // Ingress.
  { from: '@world', to: 'ingress-nginx/ingress-nginx-controller', port: 443, weight: 300 },
  { from: '@world', to: 'ingress-nginx/ingress-nginx-controller', port: 80, weight: 30 },
  { from: '@remote-node', to: 'ingress-nginx/ingress-nginx-controller', port: 443, weight: 20 },
  { from: 'ingress-nginx/ingress-nginx-controller', to: 'boutique/frontend', port: 8080, weight: 250 },
  { from: 'ingress-nginx/ingress-nginx-controller', to: 'marketing/landing-page', port: 8080, weight: 30 },
  { from: 'ingress-nginx/ingress-nginx-controller', to: 'marketing/promo-site', port: 8080, weight: 10 },
  { from: 'marketing/landing-page', to: 'marketing/promo-site', port: 8080, weight: 5 },
  // Admission webhook called by the API server; platform egress.
  { from: '@kube-apiserver', to: 'cert-manager/cert-manager-webhook', port: 10250, weight: 6 },
  { from: 'cert-manager/cert-manager', to: 'dns:acme-v02.api.letsencrypt.org', port: 443, weight: 1 },
  { from: 'monitoring/otel-collector', to: 'dns:api.honeycomb.io', port: 443, weight: 20 },
  { from: 'vault/vault', to: 'vault/vault', port: 8201, weight: 10 },
  { from: 'kube-system/coredns', to: 'ip:192.0.2.53', port: 53, protocol: 'UDP', weight: 30 },
  // billing
  { from: 'billing/invoice-worker', to: 'svc:billing/ledger-db', port: 5432, weight: 20 },
  { from: 'billing/nightly-invoice', to: 'svc:billing/invoice-worker', port: 8080, fixed: 4 },
  { from: 'billing/nightly-invoice', to: 'svc:billing/ledger-db', port: 5432, fixed: 2 },
  { from: 'billing/nightly-invoice', to: 'dns:api.stripe.com', port: 443, fixed: 2 },
  { from: 'billing/ledger-migrate-v42', to: 'svc:billing/ledger-db', port: 5432, fixed: 6 },
  { from: 'billing/ledger-migrate-v42', to: 'svc:vault/vault', port: 8200, fixed: 1 },
  // analytics: mostly across namespaces
  { from: 'analytics/catalog-indexer', to: 'svc:boutique/productcatalogservice', port: 3550, weight: 40 },
  { from: 'analytics/catalog-indexer', to: 'svc:boutique/currencyservice', port: 7000, weight: 10 },
  { from: 'analytics/catalog-indexer', to: 'svc:analytics/warehouse', port: 8123, weight: 4 },
  { from: 'analytics/report-api', to: 'svc:analytics/warehouse', port: 8123, weight: 4 },
  // Not allowed by the existing policy boutique/productcatalog-ingress: dropped at the destination.
  { from: 'analytics/report-api', to: 'svc:boutique/productcatalogservice', port: 3550, fixed: 4, outcome: { type: 'policy-denied' } },
  { from: 'analytics/warehouse', to: 'dns:backup.objectstore.example', port: 443, weight: 2 },
  { from: 'analytics/backfill', to: 'svc:analytics/warehouse', port: 9000, fixed: 8 },
  { from: 'analytics/backfill', to: 'svc:boutique/currencyservice', port: 7000, fixed: 10 },
  { from: 'analytics/tmp-shell', to: 'svc:analytics/warehouse', port: 8123, fixed: 3 },
  { from: 'analytics/tmp-shell', to: 'svc:boutique/cartservice', port: 7070, fixed: 2 },
];

/** The hand-written policy already in the cluster (its ingress allow-list for the product catalog). */
export const EXISTING_POLICIES: readonly Readonly<Record<string, unknown>>[] = [
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: {
      name: 'productcatalog-ingress',
      namespace: 'boutique',
      labels: { 'app.kubernetes.io/managed-by': 'kubectl', team: 'shop' },
      annotations: { description: 'Only the shop and the catalog indexer may read the product catalog.' },
    },
    spec: {
      endpointSelector: { matchLabels: { app: 'productcatalogservice' } },
      ingress: [
        {
          fromEndpoints: [
            { matchLabels: { app: 'frontend' } },
            { matchLabels: { app: 'checkoutservice' } },
            { matchLabels: { app: 'recommendationservice' } },
          ],
          toPorts: [{ ports: [{ port: '3550', protocol: 'TCP' }] }],
        },
        {
          fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'analytics', app: 'catalog-indexer' } }],
          toPorts: [{ ports: [{ port: '3550', protocol: 'TCP' }] }],
        },
      ],
    },
  },
];
