import { describe, expect, it } from 'vitest';
import type { PolicyEntity } from '../../model/types.js';
import type { Endpoint } from '../types.js';
import { ENTITY_BIT, entityMask } from './entities.js';
import { IdentityLabels } from './labels.js';
import { cnp, conn, pod, reserved, verdict, world } from './test-support/fixtures.js';

const entitiesOf = (labels: readonly string[], cluster = 'default'): PolicyEntity[] => {
  const mask = new IdentityLabels(labels, cluster).entities;
  return (Object.keys(ENTITY_BIT) as PolicyEntity[]).filter((e) => ENTITY_BIT[e] !== 0 && (mask & ENTITY_BIT[e]) !== 0).sort();
};

describe('entity membership (c.2)', () => {
  it('world covers reserved:world and its dual-stack halves, and unlabelled or CIDR-only addresses', () => {
    expect(entitiesOf(['reserved:world'])).toEqual(['all', 'world']);
    expect(entitiesOf(['reserved:world-ipv4'])).toEqual(['all', 'world']);
    expect(entitiesOf(['reserved:world-ipv6'])).toEqual(['all', 'world']);
    expect(entitiesOf(['cidr:192.0.2.0/24', 'reserved:world'])).toEqual(['all', 'world']);
    expect(entitiesOf([])).toEqual(['all', 'world']);
  });

  it('cluster covers the in-cluster reserved identities and local pods', () => {
    for (const r of ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver']) {
      expect(entitiesOf([`reserved:${r}`]), r).toEqual(['all', 'cluster', r].sort());
    }
    expect(entitiesOf(pod('shop', { app: 'a' }).labels)).toEqual(['all', 'cluster']);
    expect(entitiesOf(['k8s:app=a', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=east'])).toEqual(['all']);
    expect(entitiesOf(['k8s:app=a', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=east'], 'east')).toEqual(['all', 'cluster']);
  });

  it('an identity may be several entities (the host that runs the API server)', () => {
    expect(entitiesOf(['reserved:host', 'reserved:kube-apiserver'])).toEqual(['all', 'cluster', 'host', 'kube-apiserver']);
  });

  it('none and unknown names select nothing', () => {
    expect(entityMask('none')).toBe(0);
    expect(entityMask('world-ipv4')).toBe(0);
    expect(entityMask('toString')).toBe(0);
  });
});

describe('entity peers', () => {
  const a = pod('shop', { app: 'a' });
  const to = (entities: PolicyEntity[], dst: Endpoint, port = 80): string =>
    verdict([cnp('shop', 'e', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEntities: entities }] })], conn(a, dst, port)).egress.decision;

  it('matches each entity against the destination identity', () => {
    expect(to(['world'], world('198.51.100.1'))).toBe('allowed');
    expect(to(['world'], reserved('world-ipv6', { ip: '2001:db8::1' }))).toBe('allowed');
    expect(to(['world'], pod('other', { app: 'b' }))).toBe('denied-default');
    expect(to(['cluster'], pod('other', { app: 'b' }))).toBe('allowed');
    expect(to(['cluster'], reserved('remote-node'))).toBe('allowed');
    expect(to(['cluster'], world('198.51.100.1'))).toBe('denied-default');
    expect(to(['host'], reserved(['host', 'kube-apiserver']))).toBe('allowed');
    expect(to(['kube-apiserver'], reserved(['host', 'kube-apiserver']))).toBe('allowed');
    expect(to(['kube-apiserver'], reserved('host'))).toBe('denied-default');
    expect(to(['remote-node'], reserved('host'))).toBe('denied-default');
    expect(to(['health', 'ingress'], reserved('ingress'))).toBe('allowed');
    expect(to(['all'], { labels: ['cidr:203.0.113.0/24', 'reserved:world'], ip: '203.0.113.9' })).toBe('allowed');
    expect(to(['none'], pod('shop', { app: 'b' }))).toBe('denied-default');
  });

  it('only local endpoints are subjects: world, remote nodes and unmanaged have no egress policy', () => {
    const any = [cnp('shop', 'all', { endpointSelector: {}, egress: [{}] })];
    for (const src of [world('198.51.100.1'), reserved('remote-node'), reserved('unmanaged'), reserved('kube-apiserver')]) {
      expect(verdict(any, conn(src, a)).egress.decision).toBe('not-isolated');
    }
  });
});
