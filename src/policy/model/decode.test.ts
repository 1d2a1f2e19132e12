import { describe, expect, test } from 'vitest';
import { InputError, PolicyError } from '../../shared/errors.js';
import { decodePolicies, decodePolicyObject } from './decode.js';
import type { CiliumNetworkPolicy, NetworkPolicy } from './types.js';

/** The error a function throws (fails the test when it throws none). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
  - toEndpoints:
    - matchLabels:
        app: db
    toPorts:
    - ports:
      - port: "5432"
        protocol: TCP
`;

describe('formats', () => {
  test('a single YAML document', () => {
    const { policies, skipped } = decodePolicies(CNP, 'p.yaml');
    expect(skipped).toEqual([]);
    expect(policies).toHaveLength(1);
    expect(policies[0]!.source).toEqual({ file: 'p.yaml', document: 1 });
    expect(policies[0]!.policy).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
      },
    });
  });

  test('multi-document YAML numbers documents from 1 and lists other kinds as skipped', () => {
    const text = `# leading comment
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
---
${CNP}---
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
`;
    const { policies, skipped } = decodePolicies(text, 'm.yaml');
    expect(policies.map((p) => [p.policy.kind, p.source?.document])).toEqual([
      ['CiliumNetworkPolicy', 2],
      ['NetworkPolicy', 4],
    ]);
    expect(skipped).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', document: 1 }]);
  });

  test('JSON: one object, a List, a typed list whose items lack kind, and an array', () => {
    const obj = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'a' }, spec: { endpointSelector: {}, ingress: [{}] } };
    expect(decodePolicies(JSON.stringify(obj), 'a.json').policies).toHaveLength(1);

    const list = { apiVersion: 'v1', kind: 'List', items: [obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] };
    const fromList = decodePolicies(JSON.stringify(list, null, '\t'), 'l.json');
    expect(fromList.policies[0]!.source).toEqual({ file: 'l.json', document: 1, item: 0 });
    expect(fromList.skipped).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', document: 1, item: 1 }]);

    const typed = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicyList', items: [{ metadata: { name: 'b' }, spec: { endpointSelector: {}, egress: [{}] } }] };
    expect(decodePolicies(JSON.stringify(typed), 't.json').policies[0]!.policy).toMatchObject({ kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'b' } });

    const array = decodePolicies(JSON.stringify([obj, { ...obj, metadata: { name: 'b' } }]), 'arr.json');
    expect(array.policies.map((p) => p.source)).toEqual([
      { file: 'arr.json', document: 1, item: 0 },
      { file: 'arr.json', document: 1, item: 1 },
    ]);
  });

  test('empty text, comments only, and empty documents give nothing', () => {
    expect(decodePolicies('', 'e.yaml')).toEqual({ policies: [], skipped: [] });
    expect(decodePolicies('# nothing\n', 'e.yaml')).toEqual({ policies: [], skipped: [] });
    expect(decodePolicies('---\n---\n', 'e.yaml')).toEqual({ policies: [], skipped: [] });
  });

  test('an object without kind is skipped; Calico NetworkPolicy (another API group) is skipped', () => {
    const text = 'foo: bar\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x, namespace: y}\nspec: {selector: all()}\n';
    expect(decodePolicies(text, 'x.yaml').skipped).toEqual([
      { document: 1 },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', name: 'x', document: 2 },
    ]);
  });

  test('invalid YAML is an InputError naming file, line and document', () => {
    const e = thrown(() => decodePolicies(`${CNP}---\na: [1\nb: 2\n`, 'bad.yaml'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^bad\.yaml:\d+: document 2: not valid YAML or JSON: /);
  });

  test('a duplicate key is an error', () => {
    const e = thrown(() => decodePolicies('a: 1\na: 2\n', 'dup.yaml'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('dup.yaml:2: document 1');
  });
});

describe('errors name file, line, document, object and field', () => {
  test('an enum value not in the CRD (the example from the brief)', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: shop}
spec: {podSelector: {}}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: b}
spec: {endpointSelector: {}, egress: [{}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
  - toPorts:
    - ports:
      - port: "80"
        protocol: HTTP
`;
    const e = thrown(() => decodePolicies(text, 'policies.yaml'));
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).code).toBe('E_POLICY_INVALID');
    expect((e as PolicyError).exitCode).toBe(2);
    expect((e as PolicyError).file).toBe('policies.yaml');
    expect((e as PolicyError).line).toBe(22);
    expect(e.message).toBe(
      'policies.yaml:22: document 3 (CiliumNetworkPolicy shop/web): spec.egress[0].toPorts[0].ports[0].protocol: "HTTP" is not one of TCP, UDP, SCTP, ANY; HTTP runs over TCP: write protocol: TCP and put the HTTP rules under rules.http',
    );
  });

  test('a misspelt field suggests the right one', () => {
    const text = CNP.replace('  - toEndpoints:', '  - toEndpoint:');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toBe(
      'p.yaml:11: document 1 (CiliumNetworkPolicy shop/web): spec.egress[0].toEndpoint: unknown field; did you mean "toEndpoints"?',
    );
  });

  test('an unknown field without a close match lists the known ones', () => {
    const text = CNP.replace('  endpointSelector:', '  zzz: 1\n  endpointSelector:');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toMatch(/spec\.zzz: unknown field; known fields here: endpointSelector, nodeSelector, ingress, /);
  });

  test('a peer field of the other direction says so', () => {
    const text = CNP.replace('  - toEndpoints:', '  - fromEndpoints:');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toContain(
      'spec.egress[0].fromEndpoints: unknown field; egress elements name their peers with to… fields',
    );
  });

  test('deny rules have no toFQDNs and no L7', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: d, namespace: n}
spec:
  endpointSelector: {}
  egressDeny:
  - toFQDNs: [{matchName: example.com}]
  - toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{}]}}]
`;
    const m = thrown(() => decodePolicies(text, 'd.yaml')).message;
    expect(m).toContain('d.yaml: 2 problems:');
    expect(m).toContain('d.yaml:7: document 1 (CiliumNetworkPolicy n/d): spec.egressDeny[0].toFQDNs: unknown field; deny rules do not support toFQDNs');
    expect(m).toContain('d.yaml:8: document 1 (CiliumNetworkPolicy n/d): spec.egressDeny[1].toPorts[0].rules: unknown field; deny rules match ports only');
  });

  test('entity names must be in the CRD enum; world-ipv4 gets a hint', () => {
    const text = CNP.replace(/ {2}- toEndpoints:\n {4}- matchLabels:\n {8}app: db\n/, '  - toEntities: [world, World, world-ipv4, everything]\n');
    const m = thrown(() => decodePolicies(text, 'e.yaml')).message;
    expect(m).toContain('spec.egress[0].toEntities[1]: "World" is not one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver; did you mean "world"?');
    expect(m).toContain('spec.egress[0].toEntities[2]: "world-ipv4" is not one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver; world-ipv4 is an identity, not an entity you can write: use world');
    expect(m).toContain('spec.egress[0].toEntities[3]: "everything" is not one of');
  });

  test('wrong types: a label value that YAML reads as a number, an endPort in quotes, a mapping for a list', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: t, namespace: n}
spec:
  endpointSelector:
    matchLabels:
      version: 1.5
  ingress:
  - toPorts:
      ports:
      - port: "80"
  egress:
  - toPorts:
    - ports:
      - port: "80"
        endPort: "90"
`;
    const m = thrown(() => decodePolicies(text, 't.yaml')).message;
    expect(m).toContain('t.yaml:7: document 1 (CiliumNetworkPolicy n/t): spec.endpointSelector.matchLabels.version: expected a string, got the number 1.5; quote it: "1.5"');
    expect(m).toContain('t.yaml:9: document 1 (CiliumNetworkPolicy n/t): spec.ingress[0].toPorts: expected a list, got a mapping; write it as a list item, starting with "- "');
    expect(m).toContain('t.yaml:16: document 1 (CiliumNetworkPolicy n/t): spec.egress[0].toPorts[0].ports[0].endPort: expected an integer, got the string "90"; remove the quotes');
  });

  test('label keys that are not identifiers are quoted in paths', () => {
    const text = CNP.replace('      app: web', '      "app.kubernetes.io/name": [web]');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toContain('spec.endpointSelector.matchLabels["app.kubernetes.io/name"]: expected a string, got a list');
  });

  test('a missing metadata.name and a missing required podSelector', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: n}\nspec:\n  policyTypes: [Ingress]\n';
    const m = thrown(() => decodePolicies(text, 'np.yaml')).message;
    expect(m).toContain('np.yaml:3: document 1 (NetworkPolicy n/<no name>): metadata.name: required');
    expect(m).toContain('np.yaml:4: document 1 (NetworkPolicy n/<no name>): spec.podSelector: required; use {} to select every pod in the namespace');
  });

  test('policyTypes values are Ingress and Egress', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: n}\nspec:\n  podSelector: {}\n  policyTypes: [ingress]\n';
    expect(thrown(() => decodePolicies(text, 'np.yaml')).message).toBe(
      'np.yaml:6: document 1 (NetworkPolicy n/a): spec.policyTypes[0]: "ingress" is not one of Ingress, Egress; did you mean "Ingress"?',
    );
  });

  test('a List item is named as items[i]', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'a' }, spec: { endpointSelector: {}, ingres: [] } }] };
    expect(thrown(() => decodePolicies(JSON.stringify(list, null, 2), 'l.json')).message).toBe(
      'l.json:13: document 1, items[0] (CiliumClusterwideNetworkPolicy a): spec.ingres: unknown field; did you mean "ingress"?',
    );
  });

  test('every problem of a file is reported at once', () => {
    const bad = CNP.replace('protocol: TCP', 'protocol: tcp').replace('  - toEndpoints:', '  - toEndpoint:');
    const m = thrown(() => decodePolicies(`${bad}---\n${bad.replace('name: web', 'name: api')}`, 'p.yaml')).message;
    expect(m.split('\n')[0]).toBe('p.yaml: 4 problems:');
  });
});

describe('kinds and API versions', () => {
  test('a policy kind with the wrong version of its group is an error', () => {
    const text = CNP.replace('cilium.io/v2', 'cilium.io/v2alpha1');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toBe(
      'p.yaml:1: document 1 (CiliumNetworkPolicy shop/web): apiVersion: "cilium.io/v2alpha1": a CiliumNetworkPolicy has apiVersion cilium.io/v2',
    );
  });

  test('a misspelt kind in a policy API group is an error, not a skip', () => {
    const text = CNP.replace('kind: CiliumNetworkPolicy', 'kind: CiliumNetworkPolcy');
    expect(thrown(() => decodePolicies(text, 'p.yaml')).message).toContain('kind: unknown kind "CiliumNetworkPolcy"; did you mean "CiliumNetworkPolicy"?');
  });

  test('other cilium.io kinds are skipped', () => {
    const text = 'apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec: {externalCIDRs: [10.0.0.0/8]}\n';
    expect(decodePolicies(text, 'g.yaml').skipped).toEqual([{ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', name: 'g', document: 1 }]);
  });
});

describe('namespaces', () => {
  const noNamespace = CNP.replace('  namespace: shop\n', '');

  test('a namespaced policy without namespace is an error unless a default is given', () => {
    expect(thrown(() => decodePolicies(noNamespace, 'p.yaml')).message).toBe(
      "p.yaml:3: document 1 (CiliumNetworkPolicy web): metadata.namespace: required: a CiliumNetworkPolicy is namespaced; add metadata.namespace (kubectl would use the current context's namespace)",
    );
    expect(decodePolicies(noNamespace, 'p.yaml', { defaultNamespace: 'dev' }).policies[0]!.policy.metadata).toEqual({ name: 'web', namespace: 'dev' });
  });

  test('a namespace given wins over the default; a CCNP drops any namespace', () => {
    expect(decodePolicies(CNP, 'p.yaml', { defaultNamespace: 'dev' }).policies[0]!.policy.metadata.namespace).toBe('shop');
    const ccnp = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c, namespace: x}\nspec: {endpointSelector: {}, egress: [{}]}\n';
    expect(decodePolicies(ccnp, 'c.yaml', { defaultNamespace: 'dev' }).policies[0]!.policy.metadata).toEqual({ name: 'c' });
  });
});

describe('normalisation', () => {
  test('an integer port becomes its string; a fractional one is an error', () => {
    const p = decodePolicies(CNP.replace('port: "5432"', 'port: 5432'), 'p.yaml').policies[0]!.policy as CiliumNetworkPolicy;
    expect(p.spec?.egress?.[0]?.toPorts?.[0]?.ports).toEqual([{ port: '5432', protocol: 'TCP' }]);
    expect(thrown(() => decodePolicies(CNP.replace('port: "5432"', 'port: 54.5'), 'p.yaml')).message).toContain('ports[0].port: expected a string, got the number 54.5');
  });

  test('a NetworkPolicy port keeps number and string apart', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: n}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 80}, {port: http}, {port: "8080"}]\n';
    const p = decodePolicies(text, 'np.yaml').policies[0]!.policy as NetworkPolicy;
    expect(p.spec.ingress?.[0]?.ports).toEqual([{ port: 80 }, { port: 'http' }, { port: '8080' }]);
  });

  test('empty lists stay, omitted fields stay omitted', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: e, namespace: n}
spec:
  endpointSelector: {}
  ingress: []
  egress:
  - toEndpoints: []
    toPorts: [{ports: [{port: "80"}]}]
  - toPorts: [{ports: [{port: "80"}]}]
  - {}
  egressDeny:
  - toEndpoints: [{}]
`;
    const p = decodePolicies(text, 'e.yaml').policies[0]!.policy as CiliumNetworkPolicy;
    expect(p.spec).toEqual({
      endpointSelector: {},
      ingress: [],
      egress: [{ toEndpoints: [], toPorts: [{ ports: [{ port: '80' }] }] }, { toPorts: [{ ports: [{ port: '80' }] }] }, {}],
      egressDeny: [{ toEndpoints: [{}] }],
    });
    expect('toEndpoints' in p.spec!.egress![1]!).toBe(false);
    expect('ingressDeny' in p.spec!).toBe(false);
  });

  test('empty objects that mean "omitted" are dropped; meaningful empty objects stay', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: e, namespace: n, labels: {}, annotations: {}}
spec:
  endpointSelector: {matchLabels: {}}
  enableDefaultDeny: {}
  log: {}
  egress:
  - toEndpoints: [{matchLabels: {}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {}}]
`;
    const p = decodePolicies(text, 'e.yaml').policies[0]!.policy as CiliumNetworkPolicy;
    expect(p.metadata).toEqual({ name: 'e', namespace: 'n' });
    expect(p.spec).toEqual({ endpointSelector: {}, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
  });

  test('a field set to null counts as omitted; a null list item is an error', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: n}\nspec:\n  podSelector: {}\n  egress:\n  - to:\n    ports: [{port: 53, protocol: UDP}]\n';
    const p = decodePolicies(text, 'np.yaml').policies[0]!.policy as NetworkPolicy;
    expect(p.spec.egress).toEqual([{ ports: [{ port: 53, protocol: 'UDP' }] }]);
    const withNullItem = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: n}\nspec:\n  podSelector: {}\n  egress:\n  -\n';
    expect(thrown(() => decodePolicies(withNullItem, 'np.yaml')).message).toContain('spec.egress[0]: empty (null)');
  });

  test('server-populated metadata and status are dropped', () => {
    const text = CNP.replace('  namespace: shop\n', '  namespace: shop\n  uid: 1234\n  resourceVersion: "5"\n  creationTimestamp: null\n  managedFields: [{manager: kubectl}]\n') + 'status:\n  conditions: []\n';
    expect(decodePolicies(text, 'p.yaml').policies[0]!.policy.metadata).toEqual({ name: 'web', namespace: 'shop' });
  });

  test('a policy defined twice in one file is an error', () => {
    expect(thrown(() => decodePolicies(`${CNP}---\n${CNP}`, 'p.yaml')).message).toBe(
      'p.yaml: CiliumNetworkPolicy shop/web is defined twice: in p.yaml document 1 and in p.yaml document 2; the second would replace the first when applied',
    );
  });
});

describe('decodePolicyObject', () => {
  const object = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web', namespace: 'shop', uid: 'x' },
    spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] },
  };

  test('decodes an already parsed object with the source given', () => {
    expect(decodePolicyObject(object, { file: 'dump.yaml', document: 4 })).toEqual({
      policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: object.spec },
      source: { file: 'dump.yaml', document: 4 },
    });
  });

  test('errors name the source and the field, without a line', () => {
    const bad = { ...object, spec: { endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }] } };
    expect(thrown(() => decodePolicyObject(bad, { file: 'dump.yaml' })).message).toBe(
      'dump.yaml: (CiliumNetworkPolicy shop/web): spec.ingress[0].fromEndpoint: unknown field; did you mean "fromEndpoints"?',
    );
  });

  test('another kind is an error here', () => {
    const e = thrown(() => decodePolicyObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, { file: 'dump.yaml' }));
    expect(e).toBeInstanceOf(PolicyError);
    expect(e.message).toBe('dump.yaml: (Pod p): not a policy: a Pod (v1)');
  });
});
