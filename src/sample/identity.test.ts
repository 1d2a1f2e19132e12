import { describe, expect, it } from 'vitest';
import { compileLabelFilter, identityLabels } from './identity.js';

describe('identity label filter', () => {
  it('applies Cilium’s defaults when no labels option is set', () => {
    const f = compileLabelFilter('');
    expect(f('k8s', 'app')).toBe(true);
    expect(f('k8s', 'component')).toBe(true);
    expect(f('k8s', 'job-name')).toBe(true);
    expect(f('k8s', 'pod-template-hash')).toBe(false);
    expect(f('k8s', 'controller-revision-hash')).toBe(false);
    expect(f('k8s', 'statefulset.kubernetes.io/pod-name')).toBe(false);
    expect(f('k8s', 'batch.kubernetes.io/job-completion-index')).toBe(false);
    expect(f('k8s', 'io.kubernetes.pod.namespace')).toBe(true);
  });

  it('keeps only included keys once one inclusive pattern exists; the longer match wins', () => {
    const f = compileLabelFilter('k8s:io\\.kubernetes\\.pod\\.namespace k8s:app k8s:k8s-app');
    expect(f('k8s', 'app')).toBe(true);
    expect(f('k8s', 'app-production')).toBe(true);
    expect(f('k8s', 'app.kubernetes.io/name')).toBe(true);
    expect(f('k8s', 'apps.kubernetes.io/pod-index')).toBe(false);
    expect(f('k8s', 'component')).toBe(false);
    expect(f('k8s', 'io.cilium.k8s.namespace.labels.team')).toBe(true);
    expect(f('k8s', 'io.cilium.k8s.policy.serviceaccount')).toBe(false);
    expect(f('k8s', 'io.cilium.k8s.policy.cluster')).toBe(true);
  });

  it('excludes with `source:!pattern`', () => {
    const f = compileLabelFilter('k8s:!job-name k8s:!controller-uid');
    expect(f('k8s', 'job-name')).toBe(false);
    expect(f('k8s', 'app')).toBe(true);
  });

  it('prints identity labels as Hubble does, sorted', () => {
    const f = compileLabelFilter('k8s:app k8s:io\\.cilium\\.k8s\\.policy');
    expect(identityLabels({ app: 'web', 'pod-template-hash': 'abc', tier: 'x' }, 'shop', { 'kubernetes.io/metadata.name': 'shop' }, 'web', 'c1', f)).toEqual([
      'k8s:app=web',
      'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
      'k8s:io.cilium.k8s.policy.cluster=c1',
      'k8s:io.cilium.k8s.policy.serviceaccount=web',
      'k8s:io.kubernetes.pod.namespace=shop',
    ]);
  });
});
