/**
 * @module policy/evaluate/corpora/cyclonus — mattfenwick/cyclonus examples (shared/corpora/cyclonus) as
 * NetworkPolicy truth tables. Test-only.
 *
 * The outputs in `examples/cyclonus-output/` come from `cyclonus analyze --policy-path
 * ./networkpolicies/simple-example/` with `examples/probe.json` (probe), `examples/traffic.json`
 * (query-traffic) and `examples/targets.json` (query-target) — the commands are in cyclonus'
 * docs/command-analyze.md. Checked here:
 * - the probe tables (Ingress, Egress, Combined) for each probe whose table has verdicts (`.`/`X`);
 * - the four query-traffic answers ("IS ALLOWED?").
 */
import type { LoadedPolicy } from '../../model/types.js';
import type { Connection, Endpoint, Verdict } from '../types.js';
import { corpusDir, listFiles, loadPolicies, podEndpoint, readText, worldEndpoint } from './shared.js';

export const CYCLONUS = 'cyclonus';

/** Outputs and policy folders of the corpus that are not checked, with the reason. */
export const CYCLONUS_SKIPS: Readonly<Record<string, string>> = {
  'analyze-all-five.txt': 'made with --use-example-policies: cyclonus’ built-in example policies are not in the corpus',
  'analyze-query-target.txt': 'lists the rules that target a pod, not verdicts',
  'analyze-explain.txt': 'an explanation table, not verdicts',
  'analyze-lint.txt': 'lint findings, not verdicts',
  'probe block without verdicts':
    'the third probe (TCP 82, which no container serves) prints N/? instead of ./X, and a fourth block is empty: no truth table to compare',
  'networkpolicies/ (other than simple-example)': 'no truth table for them in the corpus',
};

interface CyclonusCheck {
  readonly what: string;
  readonly connection: Connection;
  readonly expected: string;
  readonly holds: (v: Verdict) => boolean;
}

export interface CyclonusCase {
  readonly name: string;
  readonly skip?: string;
  readonly policies: readonly LoadedPolicy[];
  readonly checks: readonly CyclonusCheck[];
}

interface ProbeModel {
  readonly Probes: readonly { Protocol: 'TCP' | 'UDP' | 'SCTP'; Port: number }[];
  readonly Resources: {
    readonly Namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly Pods: readonly {
      Namespace: string;
      Name: string;
      Labels: Readonly<Record<string, string>>;
      IP: string;
      Containers: readonly { Port: number; PortName?: string; Protocol: string }[];
    }[];
  };
}

interface TrafficPeer {
  readonly IP?: string;
  readonly Internal?: { PodLabels: Record<string, string>; NamespaceLabels: Record<string, string>; Namespace: string };
}

const denied = (d: Verdict['egress']): boolean => d.decision === 'denied-default' || d.decision === 'denied-rule';

/** Reads the `| x/a | . | X | …` rows of one table into (row, column) → allowed; undefined if a cell is not ./X. */
function readTable(lines: readonly string[]): Map<string, boolean> | undefined {
  const rows = lines.filter((l) => l.startsWith('|'));
  if (rows.length < 2) return undefined;
  const cells = (l: string): string[] =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const header = cells(rows[0] ?? '').slice(1).map((h) => h.toLowerCase());
  const out = new Map<string, boolean>();
  for (const r of rows.slice(1)) {
    const [from, ...marks] = cells(r);
    for (const [i, m] of marks.entries()) {
      if (m !== '.' && m !== 'X') return undefined;
      out.set(`${from} ${header[i]}`, m === '.');
    }
  }
  return out;
}

export function loadCyclonusCases(): CyclonusCase[] {
  const dir = corpusDir(CYCLONUS);
  const policyDir = new URL('networkpolicies/simple-example/', dir);
  const policies = listFiles(policyDir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadPolicies(readText(new URL(f, policyDir)), `cyclonus/networkpolicies/simple-example/${f}`));
  const cases: CyclonusCase[] = [];

  // ---- probe ----
  const model = JSON.parse(readText(new URL('examples/probe.json', dir))) as ProbeModel;
  const pods = new Map<string, Endpoint>(
    model.Resources.Pods.map((p) => [
      `${p.Namespace}/${p.Name}`,
      podEndpoint({
        namespace: p.Namespace,
        labels: p.Labels,
        namespaceLabels: model.Resources.Namespaces[p.Namespace] ?? {},
        ip: p.IP,
        namedPorts: Object.fromEntries(
          p.Containers.filter((c) => c.PortName !== undefined).map((c) => [c.PortName!, { port: c.Port, protocol: c.Protocol.toUpperCase() as 'TCP' }]),
        ),
      }),
    ]),
  );
  const probeText = readText(new URL('examples/cyclonus-output/analyze-probe.txt', dir)).split('\n');
  const starts = probeText.flatMap((l, i) => (l === 'Ingress:' ? [i] : []));
  starts.forEach((start, block) => {
    const probe = model.Probes[block];
    const section = (title: string): string[] => {
      const from = probeText.indexOf(title, start);
      const end = probeText.findIndex((l, i) => i > from && l.trim() === '');
      return probeText.slice(from + 1, end < 0 ? undefined : end);
    };
    const tables = { ingress: readTable(section('Ingress:')), egress: readTable(section('Egress:')), combined: readTable(section('Combined:')) };
    const name = `probe ${block + 1}${probe === undefined ? '' : ` (${probe.Protocol} ${probe.Port})`}`;
    if (probe === undefined || tables.ingress === undefined || tables.egress === undefined || tables.combined === undefined) {
      cases.push({ name, skip: CYCLONUS_SKIPS['probe block without verdicts'], policies, checks: [] });
      return;
    }
    const checks: CyclonusCheck[] = [];
    for (const [key, allowed] of tables.combined) {
      const [from, to] = key.split(' ') as [string, string];
      const connection: Connection = { source: pods.get(from)!, destination: pods.get(to)!, protocol: probe.Protocol, port: probe.Port };
      const ingressOk = tables.ingress.get(key)!;
      const egressOk = tables.egress.get(key)!;
      checks.push({
        what: `${from} -> ${to} ${probe.Protocol}/${probe.Port}`,
        connection,
        expected: `ingress ${ingressOk ? 'allowed' : 'denied'}, egress ${egressOk ? 'allowed' : 'denied'}, combined ${allowed ? 'allowed' : 'denied'}`,
        holds: (v) => !denied(v.ingress) === ingressOk && !denied(v.egress) === egressOk && v.allowed === allowed,
      });
    }
    cases.push({ name, policies, checks });
  });

  // ---- query-traffic ----
  const traffic = JSON.parse(readText(new URL('examples/traffic.json', dir))) as {
    Source: TrafficPeer;
    Destination: TrafficPeer;
    Protocol: 'TCP';
    ResolvedPort: number;
    ResolvedPortName?: string;
  }[];
  const answers = [...readText(new URL('examples/cyclonus-output/analyze-query-traffic.txt', dir)).matchAll(/IS ALLOWED\?\s*\|\s*(TRUE|FALSE)/g)].map(
    (m) => m[1] === 'TRUE',
  );
  const endpoint = (p: TrafficPeer, namedPort?: { name: string; port: number }): Endpoint =>
    p.Internal === undefined
      ? worldEndpoint(p.IP)
      : podEndpoint({
          namespace: p.Internal.Namespace,
          labels: p.Internal.PodLabels,
          namespaceLabels: p.Internal.NamespaceLabels,
          ...(p.IP !== undefined ? { ip: p.IP } : {}),
          ...(namedPort !== undefined ? { namedPorts: { [namedPort.name]: { port: namedPort.port, protocol: 'TCP' as const } } } : {}),
        });
  cases.push({
    name: `query-traffic (${traffic.length} traffic examples)`,
    policies,
    checks: traffic.map((t, i) => {
      const allowed = answers[i];
      const named = t.ResolvedPortName !== undefined && t.ResolvedPortName !== '' ? { name: t.ResolvedPortName, port: t.ResolvedPort } : undefined;
      const connection: Connection = { source: endpoint(t.Source), destination: endpoint(t.Destination, named), protocol: t.Protocol, port: t.ResolvedPort };
      return {
        what: `traffic ${i + 1}: ${t.Source.IP ?? ''}${t.Source.Internal ? ` ${t.Source.Internal.Namespace}/${JSON.stringify(t.Source.Internal.PodLabels)}` : ''} -> ${t.Destination.IP ?? ''}${t.Destination.Internal ? ` ${t.Destination.Internal.Namespace}/${JSON.stringify(t.Destination.Internal.PodLabels)}` : ''}`,
        connection,
        expected: allowed === undefined ? 'an answer (none found in the output)' : allowed ? 'allowed' : 'denied',
        holds: (v) => allowed !== undefined && v.allowed === allowed,
      };
    }),
  });

  for (const [what, reason] of Object.entries(CYCLONUS_SKIPS)) {
    if (what !== 'probe block without verdicts') cases.push({ name: what, skip: reason, policies: [], checks: [] });
  }
  return cases;
}
