/**
 * @module policy/model/schema — the shapes of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy rules
 * (transcribed from the cilium.io/v2 CRDs, `crd-v2-ciliumnetworkpolicies.yaml`, Cilium 1.19) and of Kubernetes
 * NetworkPolicy (networking.k8s.io/v1). `schema.test.ts` compares the field lists with the CRD.
 *
 * Deliberate differences from the CRD:
 * - `fromRequires`/`toRequires` are accepted (removed from the 1.19 CRD; `sanitize` rejects or warns by version);
 * - `protocol` accepts TCP, UDP, SCTP, ANY — not VRRP/IGMP, which need Cilium's extended IP protocols mode;
 * - `icmps[].fields` is required (an `icmps` entry without fields allows nothing);
 * - `port` accepts an integer and turns it into its string (`80` → `"80"`).
 */
import { POLICY_ENTITIES, PORT_PROTOCOLS } from './types.js';
import type { ObjectShape, Shape } from './shape.js';

const str: Shape = { type: 'string' };
const bool: Shape = { type: 'boolean' };
const strList: Shape = { type: 'list', of: str };
const list = (of: Shape): Shape => ({ type: 'list', of });
const obj = (fields: Record<string, Shape>, extra: Omit<ObjectShape, 'type' | 'fields'> = {}): ObjectShape => ({ type: 'object', fields, ...extra });
const oneOf = (values: readonly string[], hints?: Record<string, string>): Shape => ({ type: 'enum', values, ...(hints !== undefined ? { hints } : {}) });

const requirement = obj(
  { key: str, operator: oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strList },
  { required: ['key', 'operator'] },
);
/** A label selector. `matchLabels: {}` means the same as no `matchLabels`; the selector itself is never void. */
export const selectorShape = obj({
  matchLabels: { type: 'map', of: str, voidIfEmpty: true },
  matchExpressions: list(requirement),
});

const portProtocol = obj({
  port: { type: 'string', acceptInteger: true },
  endPort: { type: 'integer', min: 0, max: 65535 },
  protocol: oneOf(PORT_PROTOCOLS, {
    ICMP: '; ICMP is written with `icmps`, not `toPorts`',
    ICMPv6: '; ICMP is written with `icmps`, not `toPorts`',
    HTTP: '; HTTP runs over TCP: write protocol: TCP and put the HTTP rules under rules.http',
    HTTPS: '; HTTPS runs over TCP: write protocol: TCP (and serverNames for TLS SNI)',
    GRPC: '; gRPC runs over TCP: write protocol: TCP and put the HTTP/2 rules under rules.http',
    DNS: '; DNS runs over UDP and TCP: write protocol: ANY (or one port rule per protocol) and put the DNS rules under rules.dns',
    VRRP: "; VRRP needs Cilium's extended IP protocols mode, which tighten does not model",
    IGMP: "; IGMP needs Cilium's extended IP protocols mode, which tighten does not model",
  }),
});

const secretRef = obj({ name: str, namespace: str }, { required: ['name'] });
const headerMatch = obj({ mismatch: oneOf(['LOG', 'ADD', 'DELETE', 'REPLACE']), name: str, secret: secretRef, value: str }, { required: ['name'] });
const httpRule = obj({ method: str, path: str, host: str, headers: strList, headerMatches: list(headerMatch) });
const kafkaRule = obj({ apiKey: str, apiVersion: str, clientID: str, role: oneOf(['produce', 'consume']), topic: str });
const dnsRule = obj({ matchName: str, matchPattern: str });
const l7Rules = obj(
  { http: list(httpRule), kafka: list(kafkaRule), dns: list(dnsRule), l7proto: str, l7: list({ type: 'map', of: str }) },
  { voidIfEmpty: true },
);
const tlsContext = obj({ certificate: str, privateKey: str, secret: secretRef, trustedCA: str }, { required: ['secret'] });
const listener = obj(
  {
    envoyConfig: obj({ kind: oneOf(['CiliumEnvoyConfig', 'CiliumClusterwideEnvoyConfig']), name: str }, { required: ['name'] }),
    name: str,
    priority: { type: 'integer', min: 1, max: 100 },
  },
  { required: ['envoyConfig', 'name'] },
);
const portRule = obj({
  ports: list(portProtocol),
  rules: l7Rules,
  serverNames: strList,
  terminatingTLS: tlsContext,
  originatingTLS: tlsContext,
  listener,
});
const denyOnly = 'deny rules match ports only: no L7 rules, server names, TLS or listeners';
const portDenyRule = obj(
  { ports: list(portProtocol) },
  { unknownHints: { rules: denyOnly, serverNames: denyOnly, terminatingTLS: denyOnly, originatingTLS: denyOnly, listener: denyOnly } },
);

const icmpField = obj({ family: oneOf(['IPv4', 'IPv6']), type: { type: 'intOrString' } }, { required: ['type'] });
const icmpRule = obj({ fields: list(icmpField) }, { required: ['fields'], requiredHints: { fields: 'an icmps entry without fields allows nothing' } });

const cidrRule = obj({ cidr: str, cidrGroupRef: str, cidrGroupSelector: selectorShape, except: strList });
const fqdnSelector = obj({ matchName: str, matchPattern: str });
const serviceRule = obj({
  k8sService: obj({ serviceName: str, namespace: str }),
  k8sServiceSelector: obj({ selector: selectorShape, namespace: str }, { required: ['selector'] }),
});
const groups = obj({ aws: obj({ labels: { type: 'map', of: str, voidIfEmpty: true }, region: str, securityGroupsIds: strList, securityGroupsNames: strList }) });
const authentication = obj({ mode: oneOf(['disabled', 'required', 'test-always-fail']) }, { required: ['mode'] });
const entities = list(
  oneOf(POLICY_ENTITIES, {
    'world-ipv4': '; world-ipv4 is an identity, not an entity you can write: use world (or toCIDR 0.0.0.0/0)',
    'world-ipv6': '; world-ipv6 is an identity, not an entity you can write: use world (or toCIDR ::/0)',
  }),
);

const ingressPeers = {
  fromEndpoints: list(selectorShape),
  fromRequires: list(selectorShape),
  fromCIDR: strList,
  fromCIDRSet: list(cidrRule),
  fromEntities: entities,
  fromNodes: list(selectorShape),
  fromGroups: list(groups),
  icmps: list(icmpRule),
};
const egressPeers = {
  toEndpoints: list(selectorShape),
  toRequires: list(selectorShape),
  toCIDR: strList,
  toCIDRSet: list(cidrRule),
  toEntities: entities,
  toServices: list(serviceRule),
  toNodes: list(selectorShape),
  toGroups: list(groups),
  icmps: list(icmpRule),
};
const wrongDirection = (fields: readonly string[], why: string): Record<string, string> => Object.fromEntries(fields.map((f) => [f, why]));
const egressFieldsInIngress = wrongDirection(
  ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toNodes', 'toGroups', 'toFQDNs', 'toRequires'],
  'ingress elements name their peers with from… fields (fromEndpoints, fromCIDR, fromEntities …)',
);
const ingressFieldsInEgress = wrongDirection(
  ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups', 'fromRequires'],
  'egress elements name their peers with to… fields (toEndpoints, toCIDR, toEntities, toFQDNs …)',
);
const ingressRule = obj({ ...ingressPeers, toPorts: list(portRule), authentication }, { unknownHints: egressFieldsInIngress });
const ingressDenyRule = obj(
  { ...ingressPeers, toPorts: list(portDenyRule) },
  { unknownHints: { ...egressFieldsInIngress, authentication: 'deny rules have no authentication' } },
);
const egressRule = obj({ ...egressPeers, toPorts: list(portRule), toFQDNs: list(fqdnSelector), authentication }, { unknownHints: ingressFieldsInEgress });
const egressDenyRule = obj(
  { ...egressPeers, toPorts: list(portDenyRule) },
  { unknownHints: { ...ingressFieldsInEgress, toFQDNs: 'deny rules do not support toFQDNs; deny the addresses with toCIDR/toCIDRSet', authentication: 'deny rules have no authentication' } },
);

/** One Cilium rule: `spec`, or an element of `specs`. */
export const ruleShape = obj({
  endpointSelector: selectorShape,
  nodeSelector: selectorShape,
  ingress: list(ingressRule),
  ingressDeny: list(ingressDenyRule),
  egress: list(egressRule),
  egressDeny: list(egressDenyRule),
  enableDefaultDeny: obj({ ingress: bool, egress: bool }, { voidIfEmpty: true }),
  labels: list(obj({ key: str, value: str, source: str }, { required: ['key'] })),
  description: str,
  log: obj({ value: str }, { voidIfEmpty: true }),
});

/** ObjectMeta fields the API server fills in: accepted (a cluster dump has them) and dropped. */
export const SERVER_METADATA_FIELDS = [
  'generateName',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
] as const;

/** `metadata`. `namespace` is checked by the decoder (required for namespaced kinds, dropped for a CCNP). */
export const metadataShape = obj(
  { name: str, namespace: str, labels: { type: 'map', of: str, voidIfEmpty: true }, annotations: { type: 'map', of: str, voidIfEmpty: true } },
  { required: ['name'], ignored: SERVER_METADATA_FIELDS },
);

const npSelector = selectorShape;
const npPeer = obj({
  podSelector: npSelector,
  namespaceSelector: npSelector,
  ipBlock: obj({ cidr: str, except: strList }, { required: ['cidr'] }),
});
const npPort = obj({ protocol: oneOf(['TCP', 'UDP', 'SCTP']), port: { type: 'intOrString' }, endPort: { type: 'integer', min: 1, max: 65535 } });

/** Kubernetes NetworkPolicy `spec`. */
export const networkPolicySpecShape = obj(
  {
    podSelector: npSelector,
    policyTypes: list(oneOf(['Ingress', 'Egress'])),
    ingress: list(obj({ from: list(npPeer), ports: list(npPort) }, { unknownHints: { to: 'ingress rules use from:' } })),
    egress: list(obj({ to: list(npPeer), ports: list(npPort) }, { unknownHints: { from: 'egress rules use to:' } })),
  },
  { required: ['podSelector'], requiredHints: { podSelector: 'use {} to select every pod in the namespace' } },
);

/** Render-side twin of `voidIfEmpty`: keys whose empty-object value is left out of rendered YAML. */
export const VOID_WHEN_EMPTY_KEYS: ReadonlySet<string> = new Set(['matchLabels', 'enableDefaultDeny', 'rules', 'log', 'labels', 'annotations']);
