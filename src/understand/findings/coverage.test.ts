import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot, Workload } from '../../cluster/index.js';
import { DEFAULT_CONFIG } from '../../config/index.js';
import type { Finding, Inventory } from '../../inventory/index.js';
import { classifyWorkloads } from '../classify.js';
import { cluster, inventory, object, pod, workload } from '../test-support/fixtures.js';
import { findCoverageIssues } from './coverage.js';

const SINCE = '2026-11-02T00:00:00.000000000Z';
const NOW = '2026-11-02T12:00:00.000000000Z';
const window = { since: SINCE, until: NOW, now: NOW };

function issues(inv: Inventory, dump: ClusterSnapshot, now: string | undefined = NOW): Finding[] {
  return findCoverageIssues(inv, dump, classifyWorkloads(inv, dump, DEFAULT_CONFIG), now);
}

/** An inventory and dump holding one CronJob, seen in flows or not. */
function cron(extra: Partial<Workload>, seen = false): [Inventory, ClusterSnapshot] {
  const inv = inventory([workload('ops', 'CronJob', 'backup', { app: 'backup' }, { flows: seen })], [], window);
  return [inv, cluster({ workloads: [object('ops', 'CronJob', 'backup', { app: 'backup' }, extra)] })];
}

describe('findCoverageIssues: CronJobs', () => {
  it('warns about a CronJob that should have run in the window but was never seen, naming the expected run', () => {
    expect(issues(...cron({ schedule: '0 3 * * *' }))).toEqual([
      {
        code: 'coverage-cronjob-not-seen',
        severity: 'warning',
        subject: { namespace: 'ops', kind: 'CronJob', name: 'backup' },
        message:
          'ops/CronJob/backup (schedule "0 3 * * *") should have run 1 time between 2026-11-02T00:00:00.000000000Z and 2026-11-02T12:00:00.000000000Z, first at 2026-11-02T03:00Z (UTC assumed: no spec.timeZone), but was never seen in flows. Check that its Jobs ran (kubectl get jobs -n ops) and that Hubble saw their nodes; a Job that makes no connection at all cannot be seen. The audit → enforce gate needs every CronJob seen at least once.',
      },
    ]);
    expect(issues(...cron({ schedule: '*/30 * * * *', timeZone: 'Etc/UTC' }))[0]!.message).toContain('should have run 24 times between');
  });

  it('says so, as information, when the schedule was not due in the window, naming the next run', () => {
    expect(issues(...cron({ schedule: '0 18 * * *' }))).toEqual([
      {
        code: 'coverage-cronjob-not-seen',
        severity: 'info',
        subject: { namespace: 'ops', kind: 'CronJob', name: 'backup' },
        message:
          'ops/CronJob/backup (schedule "0 18 * * *") was not due to run between 2026-11-02T00:00:00.000000000Z and 2026-11-02T12:00:00.000000000Z (UTC assumed: no spec.timeZone); its next run is at 2026-11-02T18:00Z. Keep observing past that time. The audit → enforce gate needs every CronJob seen at least once.',
      },
    ]);
    expect(issues(...cron({ schedule: '@monthly' }))[0]).toMatchObject({ severity: 'info' });
  });

  it('does not count a run in the last minutes before now', () => {
    expect(issues(...cron({ schedule: '58 11 * * *' }))[0]!.severity).toBe('info');
    expect(issues(...cron({ schedule: '50 11 * * *' }))[0]!.severity).toBe('warning');
  });

  it('does not count runs before the CronJob was created', () => {
    expect(issues(...cron({ schedule: '0 3 * * *', creationTimestamp: '2026-11-02T05:00:00Z' }))[0]!.severity).toBe('info');
  });

  it('treats a suspended CronJob as information', () => {
    const [f] = issues(...cron({ schedule: '*/5 * * * *', suspend: true }));
    expect(f).toMatchObject({ severity: 'info' });
    expect(f!.message).toContain('is suspended (spec.suspend: true)');
  });

  it('reports nothing for a CronJob seen in flows', () => {
    expect(issues(...cron({ schedule: '0 3 * * *' }, true))).toEqual([]);
  });

  it('narrows the window for a schedule on another time zone, and says so', () => {
    // 03:00 in Berlin may or may not fall in a 12-hour window: once narrowed by the offsets, nothing is certain.
    expect(issues(...cron({ schedule: '0 3 * * *', timeZone: 'Europe/Berlin' }))[0]).toMatchObject({ severity: 'info' });
    const long = inventory([workload('ops', 'CronJob', 'backup', { app: 'backup' }, { flows: false })], [], { since: '2026-10-31T00:00:00Z', until: NOW, now: NOW });
    const dump = cluster({ workloads: [object('ops', 'CronJob', 'backup', { app: 'backup' }, { schedule: 'CRON_TZ=America/New_York 0 3 * * *' })] });
    const [f] = issues(long, dump);
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('first at 2026-11-01T03:00 America/New_York (tighten does not convert time zones: it checked a window narrowed by the largest UTC offsets)');
  });

  it('reports a schedule it cannot read, or one that never fires', () => {
    expect(issues(...cron({ schedule: '0 3 * *' }))[0]).toMatchObject({ severity: 'warning' });
    expect(issues(...cron({ schedule: '0 3 * *' }))[0]!.message).toContain('its schedule cannot be read: "0 3 * *": expected 5 fields');
    expect(issues(...cron({ schedule: '0 0 30 2 *' }))[0]!.message).toContain('never fires within five years');
  });

  it('cannot expect a run when the inventory holds no flows', () => {
    const inv = inventory([workload('ops', 'CronJob', 'backup', { app: 'backup' }, { flows: false })], [], {});
    const dump = cluster({ workloads: [object('ops', 'CronJob', 'backup', {}, { schedule: '* * * * *' })] });
    expect(issues(inv, dump, undefined)[0]!.message).toContain('the inventory holds no flows');
  });
});

describe('findCoverageIssues: workloads', () => {
  it('warns about a workload of the dump never seen in flows', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const inv = inventory([workload('shop', 'Deployment', 'cart', { app: 'cart' }, { flows: false }), workload('shop', 'Deployment', 'web', { app: 'web' })], [], window);
    const dump = cluster({ workloads: [object('shop', 'Deployment', 'cart'), object('shop', 'Deployment', 'web')], pods: [pod('cart-1', ref)] });
    expect(issues(inv, dump)).toEqual([
      {
        code: 'coverage-workload-not-seen',
        severity: 'warning',
        subject: ref,
        message:
          'shop/Deployment/cart is in the cluster dump but was never seen in flows between 2026-11-02T00:00:00.000000000Z and 2026-11-02T12:00:00.000000000Z: its policy would have no observed traffic to allow. Observe longer, check that Hubble sees the nodes it runs on, or confirm it makes no connections.',
      },
    ]);
  });

  it('lowers it to information for workloads without pods and for finished Jobs', () => {
    const inv = inventory([workload('shop', 'Deployment', 'idle', { app: 'idle' }, { flows: false }), workload('ops', 'Job', 'migrate', { app: 'm' }, { flows: false })], [], window);
    const dump = cluster({ workloads: [object('shop', 'Deployment', 'idle'), object('ops', 'Job', 'migrate')], pods: [pod('other', { namespace: 'x', kind: 'Pod', name: 'other' })] });
    const found = issues(inv, dump);
    expect(found.map((f) => f.severity)).toEqual(['info', 'info']);
    expect(found[1]!.message).toContain('It has no pods in the dump (scaled to zero, or finished)');
  });

  it('leaves out debug pods and host-network workloads', () => {
    const inv = inventory([workload('shop', 'Pod', 'scratch', {}, { flows: false }), workload('kube-system', 'DaemonSet', 'kube-proxy', { 'k8s-app': 'kube-proxy' }, { flows: false })], [], window);
    const dump = cluster({ workloads: [object('kube-system', 'DaemonSet', 'kube-proxy', {}, { hostNetwork: true })] });
    expect(issues(inv, dump)).toEqual([]);
  });

  it('does not report workloads known only from flows', () => {
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' }, { cluster: false })], [], window);
    expect(issues(inv, cluster({}))).toEqual([]);
  });
});
