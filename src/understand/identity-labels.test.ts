import { describe, expect, it } from 'vitest';
import { compileIdentityLabelFilter } from './identity-labels.js';

describe('compileIdentityLabelFilter', () => {
  it("implements Cilium's default list when cilium-config sets no labels", () => {
    const f = compileIdentityLabelFilter();
    expect(f.origin).toBe('default');
    expect(f.inclusive).toBe(false);
    const relevant = ['app', 'k8s-app', 'name', 'team', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'io.kubernetes.pod.namespace', 'job-name'];
    const dropped = [
      'pod-template-hash',
      'controller-revision-hash',
      'pod-template-generation',
      'controller-uid',
      'statefulset.kubernetes.io/pod-name',
      'apps.kubernetes.io/pod-index',
      'batch.kubernetes.io/job-completion-index',
      'batch.kubernetes.io/controller-uid',
      'beta.kubernetes.io/arch',
      'node.beta.kubernetes.io/instance-type',
      'kubernetes.io/hostname',
      'io.kubernetes.container.name',
      'k8s.io/foo',
      'annotation.example.com/x',
      'etcd_node',
    ];
    for (const k of relevant) expect(f.isRelevant(k), k).toBe(true);
    for (const k of dropped) expect(f.isRelevant(k), k).toBe(false);
  });

  it('anchors patterns at the start of the key, as Cilium does', () => {
    // `!kubernetes\.io` does not reach a key that only contains kubernetes.io further in
    expect(compileIdentityLabelFilter().isRelevant('topology.kubernetes.io/zone')).toBe(true);
  });

  it('keeps only included labels (and the default inclusions) once an inclusive entry is given', () => {
    const f = compileIdentityLabelFilter({ labels: 'k8s:team k8s:k8s-app' });
    expect(f.origin).toBe('cilium-config');
    expect(f.option).toBe('k8s:team k8s:k8s-app');
    expect(f.inclusive).toBe(true);
    expect(f.isRelevant('team')).toBe(true);
    expect(f.isRelevant('team-lead')).toBe(true); // a prefix
    expect(f.isRelevant('k8s-app')).toBe(true);
    expect(f.isRelevant('app')).toBe(false);
    expect(f.isRelevant('env')).toBe(false);
    expect(f.isRelevant('app.kubernetes.io/name')).toBe(true);
    expect(f.isRelevant('io.kubernetes.pod.namespace')).toBe(true);
    expect(f.isRelevant('io.cilium.k8s.namespace.labels.team')).toBe(true);
    expect(f.isRelevant('host', 'reserved')).toBe(true);
  });

  it('lets the longer inclusive match win over an exclusion', () => {
    const f = compileIdentityLabelFilter({ labels: 'k8s:!app' });
    expect(f.inclusive).toBe(false);
    expect(f.isRelevant('app')).toBe(false);
    expect(f.isRelevant('app-tier')).toBe(false);
    expect(f.isRelevant('app.kubernetes.io/name')).toBe(true);
    expect(f.isRelevant('tier')).toBe(true);
  });

  it('matches the source only when one is given; any: matches every source', () => {
    expect(compileIdentityLabelFilter({ labels: 'container:team' }).isRelevant('team')).toBe(false);
    expect(compileIdentityLabelFilter({ labels: 'any:team' }).isRelevant('team')).toBe(true);
    expect(compileIdentityLabelFilter({ labels: 'team' }).isRelevant('team')).toBe(true);
    expect(compileIdentityLabelFilter({ labels: '!team' }).isRelevant('team')).toBe(false);
  });

  it('reports entries Cilium reads differently than written, and bad ones', () => {
    const f = compileIdentityLabelFilter({ labels: '!k8s:app k8s:(bad' });
    expect(f.inclusive).toBe(true);
    expect(f.isRelevant('app')).toBe(false);
    expect(f.problems).toEqual([
      'entry "!k8s:app" puts "!" before the source: Cilium reads it as an inclusive pattern for a source named "!k8s", which matches no label and switches every other label off; write "k8s:!app"',
      'entry "k8s:(bad" is not a valid regular expression; Cilium refuses it',
    ]);
    expect(compileIdentityLabelFilter({ 'label-prefix-file': '/etc/cilium/labels.json' }).problems[0]).toContain('label-prefix-file');
  });
});
