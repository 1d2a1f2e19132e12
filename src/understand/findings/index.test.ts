import { describe, expect, it } from 'vitest';
import type { Finding } from '../../inventory/index.js';
import { compareFindings, sortFindings, subjectKey } from './index.js';

const f = (severity: Finding['severity'], code: string, subject: Finding['subject'], message = 'm'): Finding => ({ code, severity, subject, message });

describe('sortFindings', () => {
  it('orders by severity (error first), then code, then subject, then message', () => {
    const input = [
      f('info', 'ownership-no-team', { namespace: 'a' }),
      f('warning', 'namespace-fan-in', { namespace: 'b' }),
      f('error', 'label-no-stable-label', { namespace: 'z', kind: 'Deployment', name: 'x' }),
      f('warning', 'coverage-workload-not-seen', { namespace: 'b', kind: 'Deployment', name: 'y' }),
      f('warning', 'coverage-workload-not-seen', { namespace: 'a', kind: 'Deployment', name: 'y' }),
      f('warning', 'label-not-identity-relevant', { other: 'cilium-config' }),
      f('warning', 'label-not-identity-relevant', { namespace: 'a', kind: 'Deployment', name: 'w' }),
      f('info', 'ownership-no-team', { namespace: 'a' }, 'a'),
    ];
    const sorted = sortFindings(input);
    expect(sorted.map((x) => `${x.severity} ${x.code} ${subjectKey(x.subject)} ${x.message}`)).toEqual([
      'error label-no-stable-label z/Deployment/x m',
      'warning coverage-workload-not-seen a/Deployment/y m',
      'warning coverage-workload-not-seen b/Deployment/y m',
      'warning label-not-identity-relevant a/Deployment/w m',
      'warning label-not-identity-relevant ~cilium-config m',
      'warning namespace-fan-in b m',
      'info ownership-no-team a a',
      'info ownership-no-team a m',
    ]);
    expect(sortFindings([...input].reverse())).toEqual(sorted);
    expect(compareFindings(input[0]!, input[0]!)).toBe(0);
  });
});
