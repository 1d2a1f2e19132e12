import { describe, expect, it } from 'vitest';
import { InputError } from '../shared/errors.js';
import { DEFAULT_CONFIG, isVolatileLabel, portInRanges } from './config.js';
import { decodeConfig } from './decode.js';
import { editDistance, suggest } from '../shared/suggest.js';

/** The InputError `decodeConfig` throws for this text. */
function errorOf(text: string): InputError {
  try {
    decodeConfig(text, 'tighten.yaml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected decodeConfig to throw');
}

describe('decodeConfig', () => {
  it('gives the defaults for an empty file or one with only comments', () => {
    expect(decodeConfig('', 'tighten.yaml')).toEqual({ ...DEFAULT_CONFIG, source: 'tighten.yaml' });
    expect(decodeConfig('# nothing yet\n', 'tighten.yaml')).toEqual({ ...DEFAULT_CONFIG, source: 'tighten.yaml' });
  });

  it('decodes every field, fills the rest with defaults, and keeps later sections as written', () => {
    const text = `apiVersion: tighten/v1alpha1
kind: Config
labels:
  priority: [app.kubernetes.io/name, app]
  volatile: [deploy-id, example.com/*]
teams:
  namespaceLabel: owner
  namespaces:
    shop: payments
classify:
  platform:
    - namespace: monitoring
      name: prom-*
      role: metrics
  batch:
    - labels: {purpose: report}
  debug:
    - name: toolbox
      kind: Deployment
  application:
    - namespace: kube-system
      name: metrics-server
platform:
  dnsPorts: [53, 5353]
  metricsPorts: ["9000-9100", 8081]
  minClients: 2
boundaries:
  fanInNamespaces: 10
  crossShare: 0.25
criticality:
  namespaces: {shop: high}
gates:
  minObservedDays: 7
thresholds: {}
`;
    const c = decodeConfig(text, 'repo/tighten.yaml');
    expect(c.labels).toEqual({ priority: ['app.kubernetes.io/name', 'app'], volatile: ['deploy-id', 'example.com/*'] });
    expect(c.teams).toEqual({ namespaceLabel: 'owner', namespaces: { shop: 'payments' } });
    expect(c.classify).toEqual({
      platform: [{ namespace: 'monitoring', name: 'prom-*', role: 'metrics' }],
      batch: [{ labels: { purpose: 'report' } }],
      debug: [{ name: 'toolbox', kind: 'Deployment' }],
      application: [{ namespace: 'kube-system', name: 'metrics-server' }],
    });
    expect(c.platform.dnsPorts).toEqual([{ from: 53, to: 53 }, { from: 5353, to: 5353 }]);
    expect(c.platform.metricsPorts).toEqual([{ from: 9000, to: 9100 }, { from: 8081, to: 8081 }]);
    expect(c.platform.minClients).toBe(2);
    expect(c.platform.tracingPorts).toEqual(DEFAULT_CONFIG.platform.tracingPorts);
    expect(c.boundaries).toEqual({ fanInNamespaces: 10, fanOutNamespaces: 5, crossShare: 0.25 });
    expect(c.criticality).toEqual({ namespaces: { shop: 'high' } });
    expect(c.gates).toEqual({ minObservedDays: 7 });
    expect(c.thresholds).toEqual({});
    expect(c.source).toBe('repo/tighten.yaml');
  });

  it('reads a key with an empty value as the default', () => {
    const c = decodeConfig('labels:\nteams:\n  namespaceLabel:\n', 'tighten.yaml');
    expect(c.labels).toEqual(DEFAULT_CONFIG.labels);
    expect(c.teams.namespaceLabel).toBe('team');
  });

  it('rejects an unknown top-level key, naming the line and suggesting the right one', () => {
    const e = errorOf('apiVersion: tighten/v1alpha1\n\nlables:\n  priority: [app]\n');
    expect(e.message).toBe(
      'tighten.yaml:3: lables: unknown key "lables" in the top level. Did you mean "labels"? Known keys: apiVersion, kind, labels, teams, classify, platform, boundaries, recommend, criticality, gates, thresholds.',
    );
    expect(e.file).toBe('tighten.yaml');
    expect(e.line).toBe(3);
    expect(e.exitCode).toBe(2);
  });

  it('rejects unknown nested keys with a suggestion, and unknown keys without a near miss without one', () => {
    expect(errorOf('labels:\n  priorty: [app]\n').message).toContain('tighten.yaml:2: labels.priorty: unknown key "priorty" in labels. Did you mean "priority"?');
    expect(errorOf('boundaries:\n  fanin: 3\n').message).toContain('Did you mean "fanInNamespaces"?');
    const e = errorOf('colour: blue\n');
    expect(e.message).toContain('unknown key "colour"');
    expect(e.message).not.toContain('Did you mean');
  });

  it('rejects a wrong type with the line and field', () => {
    const e = errorOf('apiVersion: tighten/v1alpha1\nboundaries:\n  fanOutNamespaces: 3\n  fanInNamespaces: five\n');
    expect(e.message).toBe('tighten.yaml:4: boundaries.fanInNamespaces: expected a number, got the string "five".');
    expect(e.line).toBe(4);
    expect(errorOf('labels:\n  priority: app\n').message).toBe('tighten.yaml:2: labels.priority: expected a list (lines starting with "- "), got the string "app".');
    expect(errorOf('teams:\n  namespaces:\n    shop: 42\n').message).toBe('tighten.yaml:3: teams.namespaces.shop: expected a string, got the number 42 (quote it to make it a string).');
    expect(errorOf('labels: [app]\n').message).toBe('tighten.yaml:1: labels: expected a mapping (key: value lines), got a list.');
  });

  it('checks ranges of numbers and ports', () => {
    expect(errorOf('boundaries:\n  crossShare: 1.5\n').message).toContain('boundaries.crossShare: must be at most 1, got 1.5.');
    expect(errorOf('boundaries:\n  fanInNamespaces: 2.5\n').message).toContain('expected a whole number, got 2.5.');
    expect(errorOf('platform:\n  minClients: 0\n').message).toContain('platform.minClients: must be at least 1, got 0.');
    expect(errorOf('platform:\n  tracingPorts: [4317, 70000]\n').message).toContain('tighten.yaml:2: platform.tracingPorts[1]: expected a port (1-65535) or a range "from-to", got the number 70000.');
    expect(errorOf('platform:\n  metricsPorts: ["9999-9000"]\n').message).toContain('platform.metricsPorts[0]');
  });

  it('checks classify entries: role, kind and at least one field', () => {
    expect(errorOf('classify:\n  platform:\n    - name: coredns\n      role: dsn\n').message).toBe(
      'tighten.yaml:4: classify.platform[0].role: unknown role "dsn"; expected one of dns, metrics, tracing, secrets, ingress-controller, admission-webhook. Did you mean "dns"?',
    );
    expect(errorOf('classify:\n  platform:\n    - name: coredns\n').message).toBe(
      'tighten.yaml:3: classify.platform[0]: a platform entry needs a role: one of dns, metrics, tracing, secrets, ingress-controller, admission-webhook.',
    );
    expect(errorOf('classify:\n  debug:\n    - kind: deployment\n').message).toContain('classify.debug[0].kind: unknown workload kind "deployment". Did you mean "Deployment"?');
    expect(errorOf('classify:\n  application:\n    - {}\n').message).toContain('classify.application[0]: an entry that names no namespace, name, kind or labels would match every workload');
    expect(errorOf('classify:\n  batch:\n    - nmae: x\n').message).toContain('classify.batch[0].nmae: unknown key "nmae" in classify.batch[0]. Did you mean "name"?');
    // a custom owner kind is fine
    expect(decodeConfig('classify:\n  application:\n    - kind: Rollout\n', 'f').classify.application).toEqual([{ kind: 'Rollout' }]);
  });

  it('checks label keys', () => {
    expect(errorOf('labels:\n  priority: ["app name"]\n').message).toContain('labels.priority[0]: "app name" is not a Kubernetes label key.');
    expect(errorOf('labels:\n  volatile: ["*foo*"]\n').message).toContain('labels.volatile[0]');
  });

  it('checks apiVersion and kind', () => {
    expect(errorOf('apiVersion: tighten/v2\n').message).toBe('tighten.yaml:1: apiVersion: "tighten/v2" is not supported; this tighten reads "tighten/v1alpha1".');
    expect(errorOf('kind: Policy\n').message).toBe('tighten.yaml:1: kind: expected "Config", got "Policy".');
  });

  it('reports every problem of the file at once, the first line as the error line', () => {
    const e = errorOf('lables: {}\nboundaries:\n  crossShare: lots\n');
    expect(e.message).toBe(
      [
        'tighten.yaml: 2 problems:',
        '  tighten.yaml:1: lables: unknown key "lables" in the top level. Did you mean "labels"? Known keys: apiVersion, kind, labels, teams, classify, platform, boundaries, recommend, criticality, gates, thresholds.',
        '  tighten.yaml:3: boundaries.crossShare: expected a number, got the string "lots".',
      ].join('\n'),
    );
    expect(e.line).toBe(1);
  });

  it('reports YAML syntax errors, duplicate keys and several documents with their line', () => {
    const bad = errorOf('labels:\n  priority: [app\n');
    expect(bad.message).toMatch(/^tighten\.yaml:2: not valid YAML: Flow sequence/);
    const dup = errorOf('labels: {}\nlabels: {}\n');
    expect(dup.message).toMatch(/^tighten\.yaml:2: not valid YAML: Map keys must be unique/);
    expect(errorOf('kind: Config\n---\nkind: Config\n').message).toContain('one YAML document');
  });

  it('rejects a top level that is not a mapping', () => {
    expect(errorOf('- a\n- b\n').message).toBe('tighten.yaml:1: expected a mapping (key: value lines), got a list.');
  });

  it('rejects opaque sections that are not mappings', () => {
    expect(errorOf('gates: 7\n').message).toBe('tighten.yaml:1: gates: expected a mapping (key: value lines), got the number 7.');
  });

  it('follows YAML anchors and aliases', () => {
    const c = decodeConfig('teams:\n  namespaces: &t {shop: payments}\ncriticality:\n  teams: *t\n', 'f');
    expect(c.teams.namespaces).toEqual({ shop: 'payments' });
    expect(c.criticality).toEqual({ teams: { shop: 'payments' } });
  });
});

describe('config helpers', () => {
  it('tells volatile labels, built in and configured', () => {
    const c = decodeConfig('labels:\n  volatile: [deploy-id, example.com/*]\n', 'f');
    for (const k of ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'job-name', 'controller-uid', 'batch.kubernetes.io/job-name', 'pod-template-generation', 'apps.kubernetes.io/pod-index']) {
      expect(isVolatileLabel(k, DEFAULT_CONFIG), k).toBe(true);
    }
    expect(isVolatileLabel('app', DEFAULT_CONFIG)).toBe(false);
    expect(isVolatileLabel('deploy-id', DEFAULT_CONFIG)).toBe(false);
    expect(isVolatileLabel('deploy-id', c)).toBe(true);
    expect(isVolatileLabel('example.com/build', c)).toBe(true);
  });

  it('matches ports against ranges', () => {
    expect(portInRanges(9100, DEFAULT_CONFIG.platform.metricsPorts)).toBe(true);
    expect(portInRanges(8080, DEFAULT_CONFIG.platform.metricsPorts)).toBe(false);
  });

  it('suggests close candidates only', () => {
    expect(editDistance('lables', 'labels')).toBe(1);
    expect(suggest('Labels', ['labels', 'teams'])).toBe('labels');
    expect(suggest('boundary', ['boundaries', 'platform'])).toBe('boundaries');
    expect(suggest('xyz', ['labels', 'teams'])).toBeUndefined();
  });

  it('freezes the defaults', () => {
    expect(Object.isFrozen(DEFAULT_CONFIG.labels.priority)).toBe(true);
  });
});

describe('recommend section', () => {
  it('reads the toFQDNs wildcard patterns the team accepts', () => {
    expect(decodeConfig('recommend:\n  fqdnPatterns: ["*.s3.amazonaws.com"]\n', 'tighten.yaml').recommend.fqdnPatterns).toEqual(['*.s3.amazonaws.com']);
    expect(decodeConfig('', 'tighten.yaml').recommend.fqdnPatterns).toEqual([]);
  });

  it('rejects a pattern Cilium would not accept, naming the line', () => {
    expect(() => decodeConfig('recommend:\n  fqdnPatterns: ["api.example.com", "*.exa mple.com"]\n', 'tighten.yaml')).toThrow(/tighten\.yaml:2.*recommend\.fqdnPatterns.*not a toFQDNs wildcard pattern/s);
  });
});
