import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../config/index.js';
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { Finding, Inventory } from '../../inventory/index.js';
import { classifyWorkloads } from '../classify.js';
import { cluster, inventory, workload } from '../test-support/fixtures.js';
import { findLabelIssues } from './labels.js';

function issues(inv: Inventory, dump?: ClusterSnapshot, config = DEFAULT_CONFIG): Finding[] {
  return findLabelIssues(inv, dump, classifyWorkloads(inv, dump, config), config);
}

describe('findLabelIssues', () => {
  it('reports workloads whose pods carry only volatile labels, or none, naming where to add one', () => {
    const inv = inventory([
      workload('ops', 'CronJob', 'report', { 'job-name': 'report-29384756', 'controller-uid': 'abc', 'batch.kubernetes.io/job-name': 'report-29384756' }),
      workload('shop', 'StatefulSet', 'db', {}),
      workload('shop', 'Deployment', 'web', { app: 'web', 'pod-template-hash': '5d9c7b8f4' }),
    ]);
    expect(issues(inv)).toEqual([
      {
        code: 'label-no-stable-label',
        severity: 'error',
        subject: { namespace: 'ops', kind: 'CronJob', name: 'report' },
        message:
          'ops/CronJob/report has no stable label: its pods carry only volatile labels (batch.kubernetes.io/job-name, controller-uid, job-name), which change with every rollout or run. Add a label such as app.kubernetes.io/name=report to spec.jobTemplate.spec.template.metadata.labels; until then no policy can select exactly its pods.',
      },
      {
        code: 'label-no-stable-label',
        severity: 'error',
        subject: { namespace: 'shop', kind: 'StatefulSet', name: 'db' },
        message:
          'shop/StatefulSet/db has no stable label: its pods carry no labels at all. Add a label such as app.kubernetes.io/name=db to spec.template.metadata.labels; until then no policy can select exactly its pods.',
      },
    ]);
  });

  it('reports a selector that also selects another workload, as an error when nothing tells them apart', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' }), workload('shop', 'Deployment', 'web-legacy', { app: 'web' }), workload('blog', 'Deployment', 'web', { app: 'web' })]);
    const found = issues(inv);
    expect(found.map((f) => [f.code, f.severity, f.subject])).toEqual([
      ['label-ambiguous-selector', 'error', { namespace: 'shop', kind: 'Deployment', name: 'web' }],
      ['label-ambiguous-selector', 'error', { namespace: 'shop', kind: 'Deployment', name: 'web-legacy' }],
    ]);
    expect(found[0]!.message).toBe(
      'The selector app=web of shop/Deployment/web also selects the pods of shop/Deployment/web-legacy: no stable label tells them apart, so a policy for one would apply to the other too. Give each a distinguishing label (e.g. app.kubernetes.io/instance=web) in spec.template.metadata.labels.',
    );
  });

  it('says which extra key tells a stable and a canary Deployment apart, as information only', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web', track: 'stable' }), workload('shop', 'Deployment', 'web-canary', { app: 'web', track: 'canary' })]);
    const found = issues(inv);
    expect(found.map((f) => f.severity)).toEqual(['info', 'info']);
    expect(found[0]!.message).toBe(
      'app=web alone would also select shop/Deployment/web-canary; track=stable tells shop/Deployment/web apart, so its selector is app=web,track=stable. Nothing to do, as long as track stays on its pods.',
    );
  });

  it('reports nothing when the first priority key already tells workloads apart', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web', tier: 'front' }), workload('shop', 'Deployment', 'api', { app: 'api', tier: 'front' })]);
    expect(issues(inv)).toEqual([]);
  });

  it('suggests a DoesNotExist expression when only the other workload carries the separating key', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' }), workload('shop', 'Deployment', 'web-canary', { app: 'web', track: 'canary' })]);
    const found = issues(inv);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ severity: 'warning', subject: { name: 'web' } });
    expect(found[0]!.message).toContain('The others carry track and web does not, so a matchExpressions entry {key: track, operator: DoesNotExist} would tell them apart');
    expect(found[1]).toMatchObject({ severity: 'info', subject: { name: 'web-canary' } });
  });

  it('leaves debug pods out, as subjects and as neighbours (kubectl debug copies carry the same labels)', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' }), workload('shop', 'Pod', 'web-debug', { app: 'web' }), workload('shop', 'Pod', 'scratch', {})]);
    expect(issues(inv)).toEqual([]);
  });

  it('reports a selector label the cilium-config label filter drops, with the fallback selector', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web', 'app.kubernetes.io/name': 'shop-web' })]);
    const dump = cluster({ ciliumConfig: { labels: 'k8s:team' } });
    const config = { ...DEFAULT_CONFIG, labels: { priority: ['app', 'app.kubernetes.io/name'], volatile: [] } };
    expect(issues(inv, dump, config)).toEqual([
      {
        code: 'label-not-identity-relevant',
        severity: 'warning',
        subject: { namespace: 'shop', kind: 'Deployment', name: 'web' },
        message:
          'The selector label app=web of shop/Deployment/web is not identity-relevant under the cilium-config labels option "k8s:team": Cilium leaves it out of the pods\' identity, so a policy selecting on it silently matches nothing. tighten selects on app.kubernetes.io/name=shop-web instead; to select on app, add "k8s:app" to the labels option of cilium-config (and restart the agents and the pods).',
      },
    ]);
  });

  it('reports an error when no stable label survives the filter', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web', tier: 'front' })]);
    const found = issues(inv, cluster({ ciliumConfig: { labels: 'k8s:team' } }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'label-not-identity-relevant', severity: 'error' });
    expect(found[0]!.message).toContain('None of its stable labels (app, tier) is kept');
  });

  it('checks against the default filter when cilium-config sets no labels', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { 'kubernetes.io/app': 'web', tier: 'front' })]);
    const config = { ...DEFAULT_CONFIG, labels: { priority: ['kubernetes.io/app'], volatile: [] } };
    const found = issues(inv, cluster({}), config);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("under Cilium's default label filter");
    expect(found[0]!.message).toContain('tighten selects on tier=front instead; to select on kubernetes.io/app, add "k8s:kubernetes\\.io/app"');
  });

  it('reports cilium-config entries that Cilium reads differently than written', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { 'app.kubernetes.io/name': 'web' })]);
    const found = issues(inv, cluster({ ciliumConfig: { labels: '!k8s:controller-uid' } }));
    expect(found).toEqual([
      {
        code: 'label-not-identity-relevant',
        severity: 'warning',
        subject: { other: 'cilium-config' },
        message:
          'cilium-config labels: entry "!k8s:controller-uid" puts "!" before the source: Cilium reads it as an inclusive pattern for a source named "!k8s", which matches no label and switches every other label off; write "k8s:!controller-uid". Fix the option so that identities keep the labels policies select on.',
      },
    ]);
  });
});
