import { describe, expect, test } from 'vitest';
import { PolicyError, UsageError } from '../../shared/errors.js';
import { decodePolicyObject } from './decode.js';
import { formatPolicyProblem } from './problems.js';
import { sanitizePolicies, sanitizePolicy, validatePolicy, type SanitizeOptions } from './sanitize.js';
import type { CiliumNetworkPolicy, LoadedPolicy } from './types.js';

const SOURCE = { file: 'p.yaml', document: 1 };

function cnp(spec: Record<string, unknown>): LoadedPolicy {
  return decodePolicyObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec }, SOURCE);
}
function ccnp(spec: Record<string, unknown>): LoadedPolicy {
  return decodePolicyObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'all' }, spec }, SOURCE);
}
function knp(spec: Record<string, unknown>): LoadedPolicy {
  return decodePolicyObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec }, SOURCE);
}
/** Formatted errors, with the common `p.yaml: document 1 (Kind ns/name): ` prefix cut off. */
function errors(p: LoadedPolicy, options?: SanitizeOptions): string[] {
  return validatePolicy(p, options)
    .filter((x) => x.severity === 'error')
    .map((x) => formatPolicyProblem(x).replace(/^p\.yaml: document 1 \([^)]*\): /, ''));
}
function warnings(p: LoadedPolicy, options?: SanitizeOptions): string[] {
  return validatePolicy(p, options)
    .filter((x) => x.severity === 'warning')
    .map((x) => formatPolicyProblem(x).replace(/^p\.yaml: document 1 \([^)]*\): /, ''));
}

const sel = { matchLabels: { app: 'db' } };
const tcp = (port: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ port, protocol: 'TCP', ...extra });

describe('valid policies pass', () => {
  test('a typical CNP has no problems', () => {
    const p = cnp({
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: [sel], toPorts: [{ ports: [tcp('8080')], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }],
      egress: [
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [tcp('443')] }] },
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] },
        { icmps: [{ fields: [{ type: 8 }, { type: 'EchoRequest', family: 'IPv6' }] }] },
      ],
    });
    expect(validatePolicy(p)).toEqual([]);
    expect(sanitizePolicy(p)).toEqual({ policy: p, warnings: [] });
  });
});

describe('rule level', () => {
  test('neither endpointSelector nor nodeSelector', () => {
    expect(errors(cnp({ egress: [{}] }))).toEqual(['spec: rule must have one of endpointSelector or nodeSelector']);
  });

  test('both endpointSelector and nodeSelector', () => {
    expect(errors(ccnp({ endpointSelector: {}, nodeSelector: {}, egress: [{}] }))).toEqual(['spec: rule cannot have both endpointSelector and nodeSelector']);
  });

  test('nodeSelector in a CiliumNetworkPolicy', () => {
    expect(errors(cnp({ nodeSelector: {}, egress: [{}] }))).toEqual([
      'spec.nodeSelector: a CiliumNetworkPolicy cannot have a nodeSelector; host policies are CiliumClusterwideNetworkPolicies',
    ]);
  });

  test('a rule with no sections, or only empty ones', () => {
    const msg = 'spec: rule must have at least one of ingress, ingressDeny, egress, egressDeny (an empty list does not count)';
    expect(errors(cnp({ endpointSelector: {} }))).toEqual([msg]);
    expect(errors(cnp({ endpointSelector: {}, ingress: [], egressDeny: [] }))).toEqual([msg]);
  });

  test('a policy with neither spec nor specs; each element of specs is checked', () => {
    expect(errors(cnp(undefined as unknown as Record<string, unknown>))).toEqual(['a CiliumNetworkPolicy needs spec or specs (Cilium rejects an empty policy)']);
    const p = decodePolicyObject(
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, specs: [{ endpointSelector: {}, egress: [{}] }, { egress: [{}] }] },
      SOURCE,
    );
    expect(errors(p)).toEqual(['specs[1]: rule must have one of endpointSelector or nodeSelector']);
  });

  test('a CNP subject selector naming another namespace is ignored by Cilium', () => {
    expect(warnings(cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, egress: [{}] }))).toEqual([
      'spec.endpointSelector.matchLabels["k8s:io.kubernetes.pod.namespace"]: Cilium ignores this: a CiliumNetworkPolicy only selects pods of its own namespace (shop); use a CiliumClusterwideNetworkPolicy to select pods in other',
    ]);
    expect(warnings(cnp({ endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } }, egress: [{}] }))).toEqual([]);
  });

  test('metadata names must be DNS names', () => {
    const p = decodePolicyObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'Web_1', namespace: 'Shop' }, spec: { endpointSelector: {}, egress: [{}] } }, SOURCE);
    expect(errors(p)).toEqual([
      'metadata.name: "Web_1" is not a valid object name (lower-case letters, digits, \'-\' and \'.\', at most 253 characters)',
      'metadata.namespace: "Shop" is not a valid namespace name (lower-case letters, digits and \'-\', at most 63 characters)',
    ]);
  });
});

describe('peers', () => {
  test('combining two kinds of L3 peer in one element', () => {
    expect(errors(cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [sel], fromCIDR: ['10.0.0.0/8'] }] }))).toEqual([
      'spec.ingress[0]: combining fromEndpoints and fromCIDR is not supported yet; put them in separate elements',
    ]);
    expect(errors(cnp({ endpointSelector: {}, egressDeny: [{ toEntities: ['world'], toServices: [{ k8sService: { serviceName: 'a', namespace: 'b' } }] }] }))).toEqual([
      'spec.egressDeny[0]: combining toEntities and toServices is not supported yet; put them in separate elements',
    ]);
  });

  test('an empty list does not count as a peer kind (Cilium counts len > 0)', () => {
    expect(errors(cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [], fromCIDR: ['10.0.0.0/8'] }] }))).toEqual([]);
  });

  test('toFQDNs with other peers', () => {
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toEndpoints: [sel], toFQDNs: [{ matchName: 'a.example.com' }] }] }))).toEqual([
      'spec.egress[0]: combining toEndpoints and toFQDNs is not supported yet; a toFQDNs element cannot name other peers; put them in separate elements',
    ]);
  });

  test('an explicitly empty peer list selects nothing (warning)', () => {
    expect(warnings(cnp({ endpointSelector: {}, egress: [{ toEndpoints: [], toPorts: [{ ports: [tcp('80')] }] }] }))).toEqual([
      'spec.egress[0].toEndpoints: toEndpoints: [] selects no peer, so this element allows nothing; leave the field out to mean every peer',
    ]);
  });

  test('invalid CIDRs, a bare address, an except outside its CIDR or of the other family', () => {
    const p = cnp({
      endpointSelector: {},
      egress: [
        { toCIDR: ['10.0.0.0/33', '10.0.0.1', '300.1.1.1/32', '010.0.0.0/8', '2001:db8::/32', 'fe80::1%eth0/64'] },
        { toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.0.0/8', '10.0.5.0/24', '2001:db8::/64'] }] },
        { toCIDRSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'group' }, {}, { cidrGroupRef: 'Bad_Name' }] },
      ],
    });
    expect(errors(p)).toEqual([
      'spec.egress[0].toCIDR[0]: unable to parse CIDR "10.0.0.0/33"',
      'spec.egress[0].toCIDR[1]: "10.0.0.1" is an address, not a CIDR; write 10.0.0.1/32',
      'spec.egress[0].toCIDR[2]: unable to parse CIDR "300.1.1.1/32"',
      'spec.egress[0].toCIDR[3]: unable to parse CIDR "010.0.0.0/8"',
      'spec.egress[0].toCIDR[5]: unable to parse CIDR "fe80::1%eth0/64"',
      'spec.egress[1].toCIDRSet[0].except[0]: allow CIDR prefix 10.0.0.0/16 does not contain exclude CIDR prefix 10.1.0.0/24',
      'spec.egress[1].toCIDRSet[0].except[1]: allow CIDR prefix 10.0.0.0/16 does not contain exclude CIDR prefix 10.0.0.0/8',
      'spec.egress[1].toCIDRSet[0].except[3]: allow CIDR prefix 10.0.0.0/16 does not contain exclude CIDR prefix 2001:db8::/64',
      'spec.egress[2].toCIDRSet[0]: more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set',
      'spec.egress[2].toCIDRSet[1]: one of cidr, cidrGroupRef, or cidrGroupSelector is required',
      'spec.egress[2].toCIDRSet[2].cidrGroupRef: "Bad_Name" is not a valid CiliumCIDRGroup name',
    ]);
  });

  test('IPv6 forms that are valid', () => {
    const p = cnp({ endpointSelector: {}, egress: [{ toCIDR: ['::/0', '::ffff:10.0.0.0/104', '2001:db8:0:0:0:0:0:1/128', '0.0.0.0/0', '10.0.0.1/8'] }] });
    expect(errors(p)).toEqual([]);
  });

  test('label selectors: In needs values, Exists takes none, values are label values', () => {
    const p = cnp({
      endpointSelector: {
        matchLabels: { app: 'not valid!' },
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: '', operator: 'NotIn', values: ['-bad'] },
        ],
      },
      egress: [{}],
    });
    expect(errors(p)).toEqual([
      'spec.endpointSelector.matchLabels.app: "not valid!" is not a valid label value (at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit)',
      'spec.endpointSelector.matchExpressions[0].values: must be non-empty when operator is In',
      'spec.endpointSelector.matchExpressions[1].values: must be empty when operator is Exists',
      'spec.endpointSelector.matchExpressions[2].key: a label key must not be empty',
      'spec.endpointSelector.matchExpressions[2].values[0]: "-bad" is not a valid label value (at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit)',
    ]);
  });

  test('source-prefixed keys are fine in Cilium selectors', () => {
    const p = cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'web', 'any:team': 'a' } }, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'reserved:host', operator: 'Exists' }] }] }] });
    expect(errors(p)).toEqual([]);
  });

  test('toFQDNs: exactly one of matchName and matchPattern, with DNS syntax', () => {
    const p = cnp({
      endpointSelector: {},
      egress: [{ toFQDNs: [{ matchName: 'a.com', matchPattern: '*.a.com' }, {}, { matchName: '*.a.com' }, { matchPattern: 'a..com' }] }],
    });
    expect(errors(p)).toEqual([
      'spec.egress[0].toFQDNs[0]: exactly one of matchName or matchPattern is required',
      'spec.egress[0].toFQDNs[1]: exactly one of matchName or matchPattern is required',
      'spec.egress[0].toFQDNs[2].matchName: "*.a.com" is not a DNS name (letters, digits, \'-\', \'_\' and \'.\'; no \'*\': use matchPattern)',
      'spec.egress[0].toFQDNs[3].matchPattern: "a..com" is not a DNS pattern (letters, digits, \'-\', \'_\', \'*\' and \'.\')',
    ]);
  });

  test('fromNodes/toNodes depend on an agent flag (warning)', () => {
    expect(warnings(cnp({ endpointSelector: {}, ingress: [{ fromNodes: [{ matchLabels: { role: 'infra' } }] }] }))).toEqual([
      'spec.ingress[0].fromNodes: fromNodes only works when the Cilium agent runs with --enable-node-selector-labels',
    ]);
  });

  test('toServices pointing at default/kubernetes (warning)', () => {
    expect(warnings(cnp({ endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }] }] }))).toEqual([
      'spec.egress[0].toServices[0].k8sService: the API server is not reached through default/kubernetes in policy terms; use toEntities: [kube-apiserver]',
    ]);
  });
});

describe('fromRequires / toRequires by Cilium version', () => {
  const p = (): LoadedPolicy => cnp({ endpointSelector: {}, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }], egress: [{ toRequires: [{ matchLabels: { env: 'prod' } }] }] });

  test('removed in 1.19 (the default version): errors', () => {
    expect(errors(p())).toEqual([
      'spec.ingress[0].fromRequires: fromRequires was removed in Cilium 1.19; select the peers with fromEndpoints instead',
      'spec.egress[0].toRequires: toRequires was removed in Cilium 1.19; select the peers with toEndpoints instead',
    ]);
  });

  test('before 1.19: warnings', () => {
    expect(errors(p(), { ciliumVersion: '1.18' })).toEqual([]);
    expect(warnings(p(), { ciliumVersion: 'v1.17.3' })).toEqual([
      'spec.ingress[0].fromRequires: fromRequires is deprecated since Cilium 1.17 and removed in 1.19',
      'spec.egress[0].toRequires: toRequires is deprecated since Cilium 1.17 and removed in 1.19',
    ]);
  });

  test('an unreadable version is a usage error', () => {
    expect(() => validatePolicy(p(), { ciliumVersion: 'latest' })).toThrow(UsageError);
  });
});

describe('ports', () => {
  test('more than 40 ports in one PortRule (allow and deny)', () => {
    const ports = Array.from({ length: 41 }, (_, i) => tcp(String(1000 + i)));
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports }] }] }))).toEqual(['spec.egress[0].toPorts[0].ports: too many ports, the max is 40']);
    expect(errors(cnp({ endpointSelector: {}, egressDeny: [{ toPorts: [{ ports }] }] }))).toEqual(['spec.egressDeny[0].toPorts[0].ports: too many ports, the max is 40']);
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: ports.slice(0, 40) }] }] }))).toEqual([]);
  });

  test('endPort below port', () => {
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [tcp('8080', { endPort: 80 })] }] }] }))).toEqual([
      'spec.egress[0].toPorts[0].ports[0].endPort: endPort 80 is below port 8080; the range would be empty',
    ]);
  });

  test('port syntax: names follow IANA service-name rules; numbers are 0–65535 without leading zeros', () => {
    const ports = ['http', 'HTTP-Alt', 'http_alt', '-http', 'http--x', 'averyveryverylongname', '1x', '65536', '080', '', '0'].map((p) => tcp(p));
    const p = cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports }] }] });
    const neither = (s: string): string => `"${s}" is neither a port number (0–65535) nor a port name (up to 15 letters, digits and single inner hyphens, with at least one letter)`;
    expect(errors(p)).toEqual([
      `spec.egress[0].toPorts[0].ports[2].port: ${neither('http_alt')}`,
      `spec.egress[0].toPorts[0].ports[3].port: ${neither('-http')}`,
      `spec.egress[0].toPorts[0].ports[4].port: ${neither('http--x')}`,
      `spec.egress[0].toPorts[0].ports[5].port: ${neither('averyveryverylongname')}`,
      'spec.egress[0].toPorts[0].ports[7].port: unable to parse port "65536": out of range (0–65535)',
      'spec.egress[0].toPorts[0].ports[8].port: "080" has a leading zero, which Cilium reads as an octal number; write the port without leading zeros',
      'spec.egress[0].toPorts[0].ports[9].port: port must be specified (write "0" for all ports)',
    ]);
  });

  test('a port must be given', () => {
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ protocol: 'UDP' }] }] }] }))).toEqual([
      'spec.egress[0].toPorts[0].ports[0].port: port must be specified (write "0" for all ports)',
    ]);
  });

  test('endPort on a named port is ignored (warning); endPort before 1.16 is dropped (warning)', () => {
    expect(warnings(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [tcp('http', { endPort: 90 })] }] }] }))).toEqual([
      'spec.egress[0].toPorts[0].ports[0].endPort: endPort is ignored for the named port "http"',
    ]);
    expect(warnings(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [tcp('80', { endPort: 90 })] }] }] }), { ciliumVersion: '1.15' })).toEqual([
      'spec.egress[0].toPorts[0].ports[0].endPort: endPort needs Cilium 1.16 or later; Cilium 1.15 drops it and matches only port 80',
    ]);
  });

  test('a toPorts entry without ports allows nothing (warning)', () => {
    expect(warnings(cnp({ endpointSelector: {}, egress: [{ toEndpoints: [sel], toPorts: [{}] }] }))).toEqual([
      'spec.egress[0].toPorts[0]: a toPorts entry without ports adds no port filter, so this element allows nothing; to allow every port write ports: [{port: "0"}]',
    ]);
  });

  test('icmps together with toPorts', () => {
    expect(errors(cnp({ endpointSelector: {}, ingress: [{ icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [tcp('80')] }] }] }))).toEqual([
      'spec.ingress[0]: the icmps block may only be present without toPorts; define a separate element to use toPorts',
    ]);
  });

  test('more than 40 ICMP fields; ICMP type names are per family; numbers are 0–255', () => {
    const fields = Array.from({ length: 41 }, (_, i) => ({ type: i }));
    expect(errors(cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields }] }] }))).toEqual(['spec.egress[0].icmps[0].fields: too many types, the max is 40']);
    const p = cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: 'PacketTooBig' }, { type: 'Bogus', family: 'IPv6' }, { type: 256 }, { type: '8' }] }] }] });
    expect(errors(p)).toEqual([
      'spec.egress[0].icmps[0].fields[0].type: ICMP type PacketTooBig not found in IPv4 (it is an IPv6 type: set family: IPv6)',
      'spec.egress[0].icmps[0].fields[1].type: ICMP type Bogus not found in IPv6',
      'spec.egress[0].icmps[0].fields[2].type: ICMP type 256 is out of range (0–255)',
    ]);
  });
});

describe('L7', () => {
  const rule = (ports: unknown[], rules: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ports, rules, ...extra });

  test('L7 rules only on TCP (except DNS); an omitted protocol is ANY', () => {
    const p = cnp({
      endpointSelector: {},
      ingress: [
        { toPorts: [rule([{ port: '80', protocol: 'UDP' }], { http: [{}] })] },
        { toPorts: [rule([{ port: '80' }], { http: [{}] })] },
      ],
      egress: [{ toPorts: [rule([{ port: '53', protocol: 'UDP' }], { dns: [{ matchPattern: '*' }] })] }],
    });
    expect(errors(p)).toEqual([
      'spec.ingress[0].toPorts[0].ports[0].protocol: L7 rules can only apply to TCP (not UDP) except for DNS rules',
      'spec.ingress[1].toPorts[0].ports[0].protocol: L7 rules can only apply to TCP (not ANY, the default when protocol is omitted) except for DNS rules',
    ]);
  });

  test('DNS rules on ingress', () => {
    expect(errors(cnp({ endpointSelector: {}, ingress: [{ toPorts: [rule([{ port: '53', protocol: 'UDP' }], { dns: [{ matchPattern: '*' }] })] }] }))).toEqual([
      'spec.ingress[0].toPorts[0].rules.dns: DNS rules are not allowed on ingress',
    ]);
  });

  test('DNS rules need an explicit port and allow no range', () => {
    const p = cnp({
      endpointSelector: {},
      egress: [
        { toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] },
        { toPorts: [rule([{ port: '53', endPort: 54, protocol: 'UDP' }], { dns: [{ matchName: 'a.com' }] })] },
      ],
    });
    expect(errors(p)).toEqual([
      'spec.egress[0].toPorts[0].ports: port 53 must be specified for DNS rules',
      'spec.egress[1].toPorts[0].ports[0].endPort: DNS rules do not support port ranges',
    ]);
  });

  test('L7 rules on port 0', () => {
    expect(errors(cnp({ endpointSelector: {}, ingress: [{ toPorts: [rule([tcp('0')], { http: [{ method: 'GET' }] })] }] }))).toEqual([
      'spec.ingress[0].toPorts[0].rules: L7 rules can not be used when a port is 0',
    ]);
  });

  test('several L7 rule kinds in one PortRule', () => {
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [rule([tcp('80')], { http: [{}], kafka: [{ topic: 't' }] })] }] }))).toEqual([
      'spec.egress[0].toPorts[0].rules: multiple L7 protocol rule types specified in single rule',
    ]);
    expect(errors(cnp({ endpointSelector: {}, egress: [{ toPorts: [rule([tcp('80')], { http: [], l7proto: 'envoy.x' })] }] }))).toEqual([
      'spec.egress[0].toPorts[0].rules: multiple L7 protocol rule types specified in single rule',
    ]);
  });

  test("'l7' without 'l7proto'; Kafka is deprecated; role and apiKey together", () => {
    const p = cnp({ endpointSelector: {}, egress: [{ toPorts: [rule([tcp('9092')], { kafka: [{ role: 'produce', apiKey: 'produce' }] })] }, { toPorts: [rule([tcp('80')], { l7: [{ a: 'b' }] })] }] });
    expect(errors(p)).toEqual([
      'spec.egress[0].toPorts[0].rules.kafka[0]: cannot set both role and apiKey',
      "spec.egress[1].toPorts[0].rules.l7: 'l7' may only be specified when a 'l7proto' is also specified",
    ]);
    expect(warnings(p)).toEqual(['spec.egress[0].toPorts[0].rules.kafka: Kafka rules are deprecated and will be removed in Cilium 1.20']);
  });

  test('host policies: no L7 on ingress, only DNS on egress', () => {
    const p = ccnp({
      nodeSelector: {},
      ingress: [{ toPorts: [rule([tcp('80')], { http: [{}] })] }],
      egress: [{ toPorts: [rule([tcp('80')], { http: [{}] })] }, { toPorts: [rule([{ port: '53', protocol: 'ANY' }], { dns: [{ matchPattern: '*' }] })] }],
    });
    expect(errors(p)).toEqual([
      'spec.ingress[0].toPorts[0].rules: L7 policy is not supported on host ingress yet',
      'spec.egress[0].toPorts[0].rules.http: L7 protocol HTTP is not supported on host egress yet',
    ]);
  });

  test('serverNames: not with L7 rules unless TLS is terminated; no empty names', () => {
    const p = cnp({
      endpointSelector: {},
      egress: [
        { toPorts: [rule([tcp('443')], { http: [{}] }, { serverNames: ['a.com'] })] },
        { toPorts: [rule([tcp('443')], { http: [{}] }, { serverNames: ['a.com'], terminatingTLS: { secret: { name: 's' } } })] },
        { toPorts: [{ ports: [tcp('443')], serverNames: ['', '*.a.com', 'a b'] }] },
      ],
    });
    expect(errors(p)).toEqual([
      'spec.egress[0].toPorts[0].serverNames: serverNames are not allowed with L7 rules without TLS termination (terminatingTLS)',
      'spec.egress[2].toPorts[0].serverNames[0]: empty server name is not allowed',
      'spec.egress[2].toPorts[0].serverNames[2]: "a b" is not a server name (a DNS name, optionally starting with *. or **.)',
    ]);
  });

  test('listeners: not on ingress, not with L7 rules', () => {
    const listener = { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'e' }, name: 'l' };
    const p = cnp({
      endpointSelector: {},
      ingress: [{ toPorts: [{ ports: [tcp('80')], listener }] }],
      egress: [{ toPorts: [rule([tcp('80')], { http: [{}] }, { listener })] }],
    });
    expect(errors(p)).toEqual(['spec.ingress[0].toPorts[0].listener: listener is not allowed on ingress (l)', 'spec.egress[0].toPorts[0].listener: listener is not allowed with L7 rules (l)']);
  });

  test('an HTTP regex that does not compile (warning); RE2-only syntax is understood', () => {
    const p = cnp({ endpointSelector: {}, ingress: [{ toPorts: [rule([tcp('80')], { http: [{ path: '/api/(v1' }, { path: '(?i)/Api/(?P<v>v[0-9]+)' }] })] }] });
    expect(warnings(p)).toEqual([
      `spec.ingress[0].toPorts[0].rules.http[0].path: "/api/(v1" does not compile as a regular expression (checked with JavaScript's RegExp; Cilium uses Go's RE2 and may reject it)`,
    ]);
  });
});

describe('version-dependent fields (warnings)', () => {
  test('enableDefaultDeny before 1.16, log before 1.18', () => {
    const p = cnp({ endpointSelector: {}, enableDefaultDeny: { egress: false }, log: { value: 'x' }, egress: [{}] });
    expect(warnings(p, { ciliumVersion: '1.15' })).toEqual([
      'spec.enableDefaultDeny: enableDefaultDeny needs Cilium 1.16 or later; Cilium 1.15 drops it, so the rule is default-deny',
      'spec.log: log needs Cilium 1.18 or later; Cilium 1.15 drops it',
    ]);
    expect(warnings(p)).toEqual([]);
  });
});

describe('Kubernetes NetworkPolicy', () => {
  test('a typical NetworkPolicy has no problems', () => {
    const p = knp({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: {} }], ports: [{ port: 8080 }, { port: 'http', protocol: 'TCP' }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 1000, endPort: 2000, protocol: 'UDP' }] }, {}],
    });
    expect(validatePolicy(p)).toEqual([]);
  });

  test('policyTypes listed twice', () => {
    expect(errors(knp({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] }))).toEqual(['spec.policyTypes[1]: Ingress is listed twice']);
  });

  test('peers: one of the three; ipBlock alone', () => {
    const p = knp({ podSelector: {}, ingress: [{ from: [{}, { podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    expect(errors(p)).toEqual([
      'spec.ingress[0].from[0]: must specify a peer: podSelector, namespaceSelector or ipBlock',
      'spec.ingress[0].from[1]: may not specify both ipBlock and another peer (podSelector, namespaceSelector)',
    ]);
  });

  test('ipBlock: a valid CIDR; except strictly within it', () => {
    const p = knp({
      podSelector: {},
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1' } }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16', '10.1.0.0/24', 'x'] } }] }],
    });
    expect(errors(p)).toEqual([
      'spec.egress[0].to[0].ipBlock.cidr: "10.0.0.1" is not a valid CIDR (e.g. 10.0.0.0/8)',
      'spec.egress[0].to[1].ipBlock.except[0]: 10.0.0.0/16 must be a strict subset of cidr 10.0.0.0/16',
      'spec.egress[0].to[1].ipBlock.except[1]: 10.1.0.0/24 must be a strict subset of cidr 10.0.0.0/16',
      'spec.egress[0].to[1].ipBlock.except[2]: "x" is not a valid CIDR',
    ]);
  });

  test('ports: numbers 1–65535, lower-case names, endPort only with a numeric port and not below it', () => {
    const p = knp({
      podSelector: {},
      ingress: [{ ports: [{ port: 0 }, { port: '8080' }, { port: 'HTTP' }, { port: 'http', endPort: 90 }, { endPort: 90 }, { port: 100, endPort: 90 }] }],
    });
    expect(errors(p)).toEqual([
      'spec.ingress[0].ports[0].port: 0 must be between 1 and 65535',
      'spec.ingress[0].ports[1].port: "8080" is a string, so Kubernetes reads it as a port name, and a name needs a letter; write the number without quotes',
      'spec.ingress[0].ports[2].port: "HTTP" is not a valid port name (up to 15 lower-case letters, digits and single inner hyphens, with at least one letter)',
      'spec.ingress[0].ports[3].endPort: endPort may only be specified with a numeric port',
      'spec.ingress[0].ports[4].endPort: endPort requires port',
      'spec.ingress[0].ports[5].endPort: endPort 90 must be greater than or equal to port 100',
    ]);
  });

  test('selector keys must be Kubernetes label keys (no Cilium source prefix)', () => {
    expect(errors(knp({ podSelector: { matchLabels: { 'k8s:app': 'web' } } }))).toEqual(['spec.podSelector.matchLabels["k8s:app"]: "k8s:app" is not a valid label key']);
  });
});

describe('sanitizePolicy / sanitizePolicies', () => {
  test('lower-cases named ports (as Cilium does) and leaves everything else, including defaults, alone', () => {
    const p = cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 'HTTP-Alt', protocol: 'TCP' }, { port: '80' }] }] }] });
    const { policy, warnings: w } = sanitizePolicy(p);
    expect(w).toEqual([]);
    expect((policy.policy as CiliumNetworkPolicy).spec).toEqual({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 'http-alt', protocol: 'TCP' }, { port: '80' }] }] }] });
    expect(policy.source).toEqual(SOURCE);
    expect((p.policy as CiliumNetworkPolicy).spec?.ingress?.[0]?.toPorts?.[0]?.ports?.[0]?.port).toBe('HTTP-Alt'); // the input is not changed
    const unchanged = cnp({ endpointSelector: {}, egress: [{}] });
    expect(sanitizePolicy(unchanged).policy).toBe(unchanged);
  });

  test('throws a PolicyError listing every error with file, document, object and field', () => {
    const bad = cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [sel], fromCIDR: ['10.0.0.0/8'] }, { toPorts: [{ ports: [tcp('99999')] }] }] });
    let e: unknown;
    try {
      sanitizePolicy(bad);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).file).toBe('p.yaml');
    expect((e as PolicyError).message).toBe(
      [
        'p.yaml: 2 problems:',
        '  p.yaml: document 1 (CiliumNetworkPolicy shop/web): spec.ingress[0]: combining fromEndpoints and fromCIDR is not supported yet; put them in separate elements',
        '  p.yaml: document 1 (CiliumNetworkPolicy shop/web): spec.ingress[1].toPorts[0].ports[0].port: unable to parse port "99999": out of range (0–65535)',
      ].join('\n'),
    );
  });

  test('sanitizePolicies collects warnings and reports the errors of all policies together', () => {
    const ok = cnp({ endpointSelector: {}, egress: [{ toEndpoints: [] }] });
    expect(sanitizePolicies([ok]).warnings.map((w) => w.path)).toEqual(['spec.egress[0].toEndpoints']);
    const bad1 = cnp({ egress: [{}] });
    const bad2 = knp({ podSelector: {}, policyTypes: ['Egress', 'Egress'] });
    expect(() => sanitizePolicies([ok, bad1, bad2])).toThrow(/^p\.yaml: 2 problems:/);
  });
});
