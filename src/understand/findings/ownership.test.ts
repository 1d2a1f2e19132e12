import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeConfig } from '../../config/index.js';
import { classifyWorkloads } from '../classify.js';
import { cluster, inventory, ns, workload } from '../test-support/fixtures.js';
import { findOwnershipIssues, teamsByNamespace } from './ownership.js';

describe('teamsByNamespace', () => {
  const dump = cluster({ namespaces: [ns('shop', { team: 'payments' }), ns('blog', { owner: 'content' }), ns('crm', { team: '' })] });

  it('reads the team label of each namespace', () => {
    expect(teamsByNamespace(dump, DEFAULT_CONFIG)).toEqual({ blog: undefined, crm: undefined, shop: 'payments' });
  });

  it('uses the configured label, lets the configured map win, and adds further namespaces', () => {
    const config = decodeConfig('teams:\n  namespaceLabel: owner\n  namespaces:\n    shop: checkout\n    legacy: ops\n', 'f');
    const teams = teamsByNamespace(dump, config, ['analytics']);
    expect(teams).toEqual({ analytics: undefined, blog: 'content', crm: undefined, legacy: 'ops', shop: 'checkout' });
    expect(Object.keys(teams)).toEqual(['analytics', 'blog', 'crm', 'legacy', 'shop']);
  });

  it('works without a dump', () => {
    expect(teamsByNamespace(undefined, DEFAULT_CONFIG, ['shop'])).toEqual({ shop: undefined });
  });
});

describe('findOwnershipIssues', () => {
  it('reports namespaces with application or batch workloads and no team, as information', () => {
    const inv = inventory([
      workload('shop', 'Deployment', 'web', { app: 'web' }),
      workload('blog', 'CronJob', 'digest', { app: 'digest' }),
      workload('crm', 'Deployment', 'api', { app: 'api' }),
      workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' }),
      workload('scratch', 'Pod', 'tmp'),
    ]);
    const dump = cluster({ namespaces: [ns('shop', { team: 'payments' })] });
    const found = findOwnershipIssues(inv, dump, classifyWorkloads(inv, dump, DEFAULT_CONFIG), DEFAULT_CONFIG);
    expect(found.map((f) => f.subject)).toEqual([{ namespace: 'blog' }, { namespace: 'crm' }]);
    expect(found[0]).toEqual({
      code: 'ownership-no-team',
      severity: 'info',
      subject: { namespace: 'blog' },
      message:
        'Namespace blog names no owning team: label it (kubectl label namespace blog team=<team>) or map it under teams.namespaces in tighten.yaml, so that plans group its changes by team and reviews reach the right people.',
    });
  });
});
