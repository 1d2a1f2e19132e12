import { expect, test } from 'vitest';
import { indexCluster, podKey, workloadKey } from './cluster-index.js';
import { decodeClusterDocuments } from './decode.js';

const pod = (name: string, ip: string, phase: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'a', labels: { app: name } },
  spec: { nodeName: 'node-1', ...extra },
  status: { phase, podIP: ip, hostIP: '192.168.0.1' },
});

const snapshot = decodeClusterDocuments(
  [
    pod('done', '10.0.0.5', 'Succeeded'),
    pod('live', '10.0.0.5', 'Running'),
    pod('agent', '192.168.0.1', 'Running', { hostNetwork: true }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 't' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' }, spec: { template: { metadata: { labels: { app: 'web' } } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' }, spec: { clusterIPs: ['10.96.0.20', 'fd00::20'], selector: { app: 'web' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless', namespace: 'a' }, spec: { clusterIP: 'None' } },
  ].map((object) => ({ source: 'x', object })),
);

test('indexCluster looks up pods, namespaces, workloads, nodes and services', () => {
  const ix = indexCluster(snapshot);
  // The IP is reused: the Running pod holds it, not the finished one.
  expect(ix.podByIp.get('10.0.0.5')?.name).toBe('live');
  // Host-network pods do not own their node's address.
  expect(ix.podByIp.has('192.168.0.1')).toBe(false);
  expect(ix.nodeByIp.get('192.168.0.1')).toBe('node-1');
  expect(ix.podByName.get(podKey('a', 'agent'))?.hostNetwork).toBe(true);
  expect(ix.namespaceByName.get('a')?.labels).toEqual({ team: 't' });
  expect(ix.workloadByRef.get(workloadKey({ namespace: 'a', kind: 'Deployment', name: 'web' }))?.podLabels).toEqual({ app: 'web' });
  expect(ix.workloadByRef.get('a/Pod/live')?.kind).toBe('Pod');
  expect(ix.podsByWorkload.get('a/Pod/live')?.map((p) => p.name)).toEqual(['live']);
  expect(ix.serviceByClusterIp.get('fd00::20')?.name).toBe('web');
  expect(ix.serviceByClusterIp.get('10.96.0.20')?.name).toBe('web');
  expect(ix.serviceByClusterIp.size).toBe(2);
});

test('keys', () => {
  expect(podKey('ns', 'p')).toBe('ns/p');
  expect(workloadKey({ namespace: 'ns', kind: 'CronJob', name: 'c' })).toBe('ns/CronJob/c');
});
