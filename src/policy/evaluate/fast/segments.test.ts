/** `portSegments`: the verdict of a pair is constant between consecutive segment starts, for every protocol. */
import { describe, expect, it } from 'vitest';
import { CONNECTION_PROTOCOLS, type Endpoint, type Evaluator, type Verdict } from '../types.js';
import { compileEvaluator } from './compile.js';
import { ccnp, cnp, conn, np, pod, reserved, world } from './test-support/fixtures.js';

const web = pod('shop', { app: 'web' }, { namedPorts: { http: { port: 8080, protocol: 'TCP' } } });
const api = pod('shop', { app: 'api' }, { namedPorts: { grpc: { port: 9000, protocol: 'TCP' }, dns: { port: 53, protocol: 'UDP' } } });
const db = pod('data', { app: 'db' });
const stray = pod('shop', { app: 'stray' });
const ENDPOINTS: readonly Endpoint[] = [web, api, db, stray, world('203.0.113.9'), reserved('host')];

const POLICIES = [
  cnp('shop', 'web', {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [
      { toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: 'grpc' }, { port: '8000', endPort: 8100, protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
      { toEntities: ['world'], icmps: [{ fields: [{ type: 'EchoRequest' }] }] },
    ],
    egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8050', protocol: 'TCP' }] }] }],
  }),
  cnp('shop', 'api', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] }, { fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
  }),
  np('data', 'db', { podSelector: {}, ingress: [{ ports: [{ port: 5432 }, { port: 6000, endPort: 6010, protocol: 'UDP' }] }] }),
  ccnp('world-egress', { endpointSelector: { matchLabels: { app: 'stray' } }, egress: [{ toCIDR: ['203.0.113.0/24'] }] }),
];

/** The fast evaluator always has `portSegments`. */
const compile = (policies: typeof POLICIES): Required<Evaluator> => compileEvaluator(policies) as Required<Evaluator>;

const same = (a: Verdict, b: Verdict) => a.allowed === b.allowed && a.egress.decision === b.egress.decision && a.ingress.decision === b.ingress.decision;

describe('portSegments', () => {
  it('marks a pair no port-naming element selects as constant over every protocol and port', () => {
    const e = compile(POLICIES);
    expect(e.portSegments(stray, world('203.0.113.9'))).toEqual({ constant: true, starts: { TCP: [0], UDP: [0], SCTP: [0], ICMPv4: [0], ICMPv6: [0] } });
    expect(e.portSegments(db, web).constant).toBe(true);
  });

  it('resolves named ports against the destination and splits ranges at both ends', () => {
    const s = compile(POLICIES).portSegments(web, api);
    expect(s.constant).toBe(false);
    expect(s.starts.TCP).toEqual([0, 8000, 8050, 8051, 8101, 9000, 9001]);
    expect(s.starts.UDP).toEqual([0, 65536]);
  });

  it('has every verdict constant within each segment (exhaustive over ports and ICMP types)', () => {
    const e = compile(POLICIES);
    for (const src of ENDPOINTS) {
      for (const dst of ENDPOINTS) {
        const seg = e.portSegments(src, dst);
        const first = e.evaluate(conn(src, dst, 0, 'TCP'));
        for (const protocol of CONNECTION_PROTOCOLS) {
          const max = protocol === 'ICMPv4' || protocol === 'ICMPv6' ? 255 : 65535;
          const starts = seg.starts[protocol];
          let next = 1;
          let current = e.evaluate(conn(src, dst, 0, protocol));
          if (seg.constant) expect(same(current, first)).toBe(true);
          for (let port = 1; port <= max; port++) {
            const v = e.evaluate(conn(src, dst, port, protocol));
            if (next < starts.length && starts[next] === port) {
              current = v;
              next++;
            } else if (!same(v, current)) {
              throw new Error(`${src.labels[0]} → ${dst.labels[0]} ${port}/${protocol}: verdict changes inside a segment`);
            }
          }
        }
      }
    }
  });
});
