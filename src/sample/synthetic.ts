/**
 * @module sample/synthetic — the generated part of larger samples: namespaces of apps in the
 * Online Boutique's style (an entry service behind the ingress controller, a call graph of APIs and
 * workers over databases, caches and queues, a few CronJobs, external APIs by name), sharing the
 * same platform services. A few services call another namespace's API.
 *
 * Every generated workload is seen (called by someone, and CronJobs fire at least daily), and its
 * labels are unique in its namespace, so the planted findings of the catalog stay the only ones of
 * their kind.
 */
import { SYNTHETIC_EXTERNALS, type CallSpec, type NamespaceSpec, type ServiceSpec, type WorkloadSpec } from './catalog.js';
import type { Prng } from './prng.js';

const DOMAINS = [
  'orders', 'payments', 'search', 'catalog', 'identity', 'messaging', 'media', 'shipping', 'pricing', 'inventory',
  'reviews', 'loyalty', 'fraud', 'ledger', 'notifications', 'profiles', 'recommend', 'cart', 'support', 'reporting',
  'partners', 'content', 'geo', 'scheduling', 'forecast', 'returns', 'subscriptions', 'ads', 'auth', 'audit',
  'compliance', 'risk', 'tax', 'claims', 'quotes', 'fleet', 'routing', 'telemetry', 'devices', 'maps',
  'chat', 'video', 'docs', 'wiki', 'crm', 'erp', 'hr', 'payroll', 'procurement', 'vendors',
  'contracts', 'events', 'tickets', 'booking', 'travel', 'insurance', 'lending', 'accounts', 'onboarding', 'kyc',
] as const;

const TEAMS = ['commerce', 'core', 'growth', 'identity', 'logistics', 'media', 'mobile', 'ops', 'partners', 'risk', 'data-platform', 'money'] as const;

/** Service roles: clients (call others) and stores (only called). */
const CLIENT_ROLES = [
  'api', 'worker', 'consumer', 'indexer', 'search', 'auth', 'notifier', 'sync', 'ingest', 'render',
  'resolver', 'planner', 'feed', 'profile', 'quota', 'events', 'audit', 'admin', 'graphql', 'bff',
  'reader', 'writer', 'matcher', 'scorer', 'router', 'tracker', 'mailer', 'uploader', 'thumbnailer', 'webhook',
] as const;
const ENTRY_ROLES = ['web', 'gateway', 'frontend'] as const;
const STORES = [
  { role: 'db', image: 'postgres:16.4', port: 5432, portName: 'postgres', metrics: 9187 },
  { role: 'cache', image: 'redis:7.4-alpine', port: 6379, portName: 'redis', metrics: 9121 },
  { role: 'queue', image: 'rabbitmq:3.13-management', port: 5672, portName: 'amqp', metrics: 15692 },
] as const;
const CRON_ROLES = [
  { role: 'report', schedule: '0 2 * * *' },
  { role: 'cleanup', schedule: '15 */6 * * *' },
  { role: 'sync', schedule: '0 * * * *' },
  { role: 'rollup', schedule: '*/30 * * * *' },
] as const;

export interface SyntheticSpecs {
  readonly namespaces: NamespaceSpec[];
  readonly workloads: WorkloadSpec[];
  readonly services: ServiceSpec[];
  readonly calls: CallSpec[];
}

/** Weights spread over two orders of magnitude, as real call rates are. */
function weight(prng: Prng): number {
  return Math.round(2 ** (prng.next() * 7));
}

/**
 * Generates about `count` workloads in namespaces of 10–70 workloads each.
 * @param reserved namespace names already taken (the catalog's)
 */
export function generateSynthetic(count: number, prng: Prng, reserved: ReadonlySet<string>): SyntheticSpecs {
  const out: SyntheticSpecs = { namespaces: [], workloads: [], services: [], calls: [] };
  if (count <= 0) return out;
  const sizes: number[] = [];
  let left = count;
  while (left > 0) {
    const size = left < 20 ? left : Math.min(left, prng.int(10, 70));
    sizes.push(size);
    left -= size;
  }
  const used = new Set(reserved);
  const apis: { namespace: string; service: string; port: number }[] = [];
  const namespaceNames = sizes.map((_, i) => {
    const base = DOMAINS[i % DOMAINS.length] as string;
    let name = i < DOMAINS.length ? base : `${base}-${Math.floor(i / DOMAINS.length) + 1}`;
    while (used.has(name)) name = `${name}-x`;
    used.add(name);
    return name;
  });
  const perNamespace = sizes.map((size, i) => generateNamespace(namespaceNames[i] as string, size, prng, out, apis));
  // A few cross-namespace calls, to another namespace's API, once every namespace exists.
  for (const callers of perNamespace) {
    for (const caller of callers) {
      if (!prng.chance(0.04) || apis.length < 2) continue;
      const callee = prng.pick(apis);
      if (callee.namespace === caller.namespace) continue;
      out.calls.push({ from: `${caller.namespace}/${caller.name}`, to: `svc:${callee.namespace}/${callee.service}`, port: callee.port, weight: Math.max(1, Math.round(weight(prng) / 4)) });
    }
  }
  return out;
}

interface Client {
  readonly namespace: string;
  readonly name: string;
}

function generateNamespace(
  ns: string,
  size: number,
  prng: Prng,
  out: SyntheticSpecs,
  apis: { namespace: string; service: string; port: number }[],
): Client[] {
  const team = prng.pick(TEAMS);
  out.namespaces.push({ name: ns, team, dnsVisibility: !prng.chance(0.05) });
  const short = ns.split('-')[0] as string;
  const names = new Set<string>();
  const unique = (role: string): string => {
    let name = `${short}-${role}`;
    for (let n = 2; names.has(name); n++) name = `${short}-${role}-${n}`;
    names.add(name);
    return name;
  };
  const image = (name: string) => `ghcr.io/example-${team}/${name}:${prng.int(0, 4)}.${prng.int(0, 20)}.${prng.int(0, 9)}`;
  const labels = (name: string) => ({ app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': ns });

  const storeCount = Math.max(1, Math.round(size * 0.12));
  const cronCount = size >= 12 ? Math.max(1, Math.round(size * 0.05)) : 0;
  const clientCount = Math.max(1, size - storeCount - cronCount);

  // Clients: the first is the entry service.
  const clients: { name: string; port: number }[] = [];
  for (let i = 0; i < clientCount; i++) {
    const name = unique(i === 0 ? prng.pick(ENTRY_ROLES) : prng.pick(CLIENT_ROLES));
    const grpc = i > 0 && prng.chance(0.4);
    const port = grpc ? 9090 : 8080;
    const metrics = prng.chance(0.6);
    out.workloads.push({
      namespace: ns,
      name,
      kind: 'Deployment',
      podLabels: labels(name),
      selector: { app: name },
      serviceAccount: name,
      image: image(name),
      ports: [{ port, name: grpc ? 'grpc' : 'http' }, ...(metrics ? [{ port: 9102, name: 'metrics' }] : [])],
      replicas: i === 0 ? prng.int(2, 3) : prng.int(1, 3),
      ...(grpc ? {} : { probePort: port }),
      ...(metrics ? { metricsPort: 9102 } : {}),
      class: 'application',
      ...(prng.chance(0.7) ? { traces: true } : {}),
      ...(prng.chance(0.25) ? { secrets: true } : {}),
      ...(prng.chance(0.03) ? { apiserver: true } : {}),
    });
    out.services.push({ namespace: ns, name, selector: { app: name }, ports: [{ port, name: grpc ? 'grpc' : 'http' }] });
    clients.push({ name, port });
    if (i > 0 && i <= 3) apis.push({ namespace: ns, service: name, port });
  }
  const stores: { name: string; port: number }[] = [];
  for (let i = 0; i < storeCount; i++) {
    const s = STORES[i % STORES.length] as (typeof STORES)[number];
    const name = unique(s.role);
    out.workloads.push({
      namespace: ns,
      name,
      kind: 'StatefulSet',
      podLabels: labels(name),
      selector: { app: name },
      serviceAccount: name,
      image: s.image,
      ports: [{ port: s.port, name: s.portName }, { port: s.metrics, name: 'metrics' }],
      replicas: prng.int(1, 3),
      probePort: s.port,
      metricsPort: s.metrics,
      class: 'application',
    });
    out.services.push({ namespace: ns, name, selector: { app: name }, ports: [{ port: s.port, name: s.portName }] });
    stores.push({ name, port: s.port });
  }

  const call = (from: string, to: { name: string; port: number }, w = weight(prng)) =>
    out.calls.push({ from: `${ns}/${from}`, to: `svc:${ns}/${to.name}`, port: to.port, weight: w });

  // The entry service is reached through the ingress controller.
  const entry = clients[0] as { name: string; port: number };
  out.calls.push({ from: 'ingress-nginx/ingress-nginx-controller', to: `${ns}/${entry.name}`, port: entry.port, weight: weight(prng) * 2 });
  // Every other client is called by an earlier one, so the graph is connected; then a few extra edges.
  for (let i = 1; i < clients.length; i++) {
    const callee = clients[i] as { name: string; port: number };
    call((clients[prng.int(0, i - 1)] as { name: string }).name, callee);
    if (i + 1 < clients.length && prng.chance(0.5)) call(callee.name, clients[prng.int(i + 1, clients.length - 1)] as { name: string; port: number });
  }
  // Stores are used by one to three clients.
  for (const store of stores) {
    const users = prng.shuffle(clients).slice(0, prng.int(1, Math.min(3, clients.length)));
    for (const user of users) call(user.name, store);
  }
  // External APIs by name.
  for (const client of clients) {
    if (prng.chance(0.08)) out.calls.push({ from: `${ns}/${client.name}`, to: `dns:${prng.pick(SYNTHETIC_EXTERNALS)}`, port: 443, weight: Math.max(1, Math.round(weight(prng) / 2)) });
  }
  // CronJobs: each run calls a store and a client.
  for (let i = 0; i < cronCount; i++) {
    const c = prng.pick(CRON_ROLES);
    const name = unique(c.role);
    out.workloads.push({
      namespace: ns,
      name,
      kind: 'CronJob',
      podLabels: labels(name),
      serviceAccount: name,
      image: image(name),
      schedule: c.schedule,
      minutes: prng.int(1, 6),
      class: 'batch',
    });
    const store = prng.pick(stores);
    out.calls.push({ from: `${ns}/${name}`, to: `svc:${ns}/${store.name}`, port: store.port, fixed: prng.int(1, 3) });
    const client = prng.pick(clients);
    out.calls.push({ from: `${ns}/${name}`, to: `svc:${ns}/${client.name}`, port: client.port, fixed: 1 });
  }
  return clients.map((c) => ({ namespace: ns, name: c.name }));
}
