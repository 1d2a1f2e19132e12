/**
 * @module cli/commands/demo — `tighten demo`: generate the bundled sample cluster and its traffic,
 * run the inventory on it, and print what a newcomer should see first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { readConfig } from '../../config/index.js';
import { writeRecommendation } from '../../gitops/index.js';
import { compileEvaluator } from '../../policy/evaluate/index.js';
import { identityContext } from '../../policy/endpoints.js';
import { traceConnection } from '../../policy/explain.js';
import { decodePolicyObject, readPolicies, sanitizePolicies } from '../../policy/model/index.js';
import { asEnforcing, simulate } from '../../policy/simulate.js';
import type { TraceReport } from '../../report/trace.js';
import { renderDemoSummary } from '../../report/demo.js';
import { renderInventory } from '../../report/inventory.js';
import type { SampleSizeName } from '../../sample/index.js';
import { writeSample } from '../../sample/write.js';
import { EXIT, type ExitCode } from '../../shared/errors.js';
import { understand } from '../../understand/index.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';
import { resolveEndpointSpec } from './trace.js';
import { walkRollout } from './demo-rollout.js';

/**
 * A deliberately incomplete policy for the demo's proof step: cartservice, in the audit stage, allows
 * only the frontend — the checkout service also calls it, so simulate (as enforced) finds the drop.
 */
const INCOMPLETE_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: cartservice
  namespace: boutique
spec:
  endpointSelector:
    matchLabels:
      app: cartservice
  enableDefaultDeny:
    ingress: false
    egress: false
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: frontend
      toPorts:
        - ports:
            - port: "7070"
              protocol: TCP
`;

export interface DemoCommandOptions {
  /** @default 'tighten-demo' in the current directory */
  readonly dir?: string;
  readonly size: SampleSizeName;
  readonly seed: number;
  readonly quiet: boolean;
}

export async function demoCommand(opts: DemoCommandOptions, io: Io): Promise<ExitCode> {
  const dir = resolve(io.cwd, opts.dir ?? 'tighten-demo');
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${line}\n`);
  };
  say(`Generating the sample cluster (size ${opts.size}, seed ${opts.seed}) into ${dir} …`);
  const written = await writeSample(dir, { size: opts.size, seed: opts.seed }, {
    onProgress: (n) => say(`  ${n.toLocaleString('en-US')} flows written`),
  });
  say('Folding the flows into the inventory …');
  const config = await readConfig(dir);
  const { inventory, cluster } = await readInventory(
    { flows: [written.flowsFile], cluster: [written.clusterFile], namespaces: [], window: {}, progress: !opts.quiet },
    io,
  );
  const understanding = understand(inventory, cluster, config);
  const inventoryFile = join(dir, 'inventory.json');
  await writeFile(inventoryFile, renderInventory({ inventory, understanding }, 'json').output);
  const rel = (p: string) => relative(io.cwd, p) || '.';

  say('Writing the recommended policies into a GitOps repository …');
  const repo = join(dir, 'repo');
  const options = evaluateOptionsOf(cluster, undefined);
  const recommended = await writeRecommendation(repo, inventory, understanding, cluster, config, {
    namespaces: [],
    format: 'cilium',
    force: false,
    evaluate: options,
    fqdnPatterns: config.recommend.fqdnPatterns,
  });
  for (const w of recommended.warnings) io.stderr.write(`warning: ${w}\n`);

  say('Simulating a deliberately incomplete policy as if enforced …');
  const candidateDir = join(dir, 'candidate');
  await mkdir(candidateDir, { recursive: true });
  const candidateFile = join(candidateDir, 'cartservice.yaml');
  await writeFile(candidateFile, INCOMPLETE_POLICY);
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source }))).policies;
  const candidate = sanitizePolicies(await readPolicies([candidateFile])).policies;
  const identities = identityContext(cluster);
  const simulation = simulate(
    { inventory, existing, candidate, identities, options, asEnforced: true, labelPriority: config.labels.priority },
    compileEvaluator,
  );
  const drop = simulation.evaluations.find((e) => e.wouldDrop && 'namespace' in e.edge.source && e.edge.source.name === 'checkoutservice');
  let trace: TraceReport | undefined;
  if (drop && 'namespace' in drop.edge.source && 'namespace' in drop.edge.destination) {
    const from = resolveEndpointSpec(`${drop.edge.source.namespace}/${drop.edge.source.name}`, 'from', identities, cluster, inventory);
    const to = resolveEndpointSpec(`${drop.edge.destination.namespace}/${drop.edge.destination.name}`, 'to', identities, cluster, inventory);
    // The policies as `simulate --as-enforced` evaluated them.
    const enforced = [...existing, ...candidate.map(asEnforcing)];
    const connection = { source: from.endpoint, destination: to.endpoint, port: drop.edge.port, protocol: drop.edge.protocol as 'TCP' };
    trace = {
      from,
      to,
      port: drop.edge.port,
      protocol: 'TCP',
      ...traceConnection(enforced, connection, compileEvaluator, options),
      policies: enforced.length,
    };
  }
  io.stdout.write(
    renderDemoSummary(inventory, understanding, {
      dir: rel(dir),
      clusterFile: rel(written.clusterFile),
      flowsFile: rel(written.flowsFile),
      inventoryFile: rel(inventoryFile),
      candidateDir: rel(candidateDir),
      repo: rel(repo),
      flowLines: written.flows,
    }, {
      simulation,
      ...(trace ? { trace } : {}),
      recommendation: { repo: rel(repo), format: 'cilium', result: recommended.result, plan: recommended.plan, warnings: [] },
    }),
  );

  say('Walking the staged rollout: preflight, plan, promote, a new dependency, rollback, recommend, promote again …');
  const walked = await walkRollout({ dir, repo, flowsFile: written.flowsFile, clusterFile: written.clusterFile, inventory }, io);
  io.stdout.write(walked.output);
  // The walk-through's later traffic, when it got that far, belongs to the data the repository was judged on.
  const flowArgs = walked.flows.map((f) => `--flows ${rel(f)}`).join(' ');
  io.stdout.write(`See it all in the dashboard: tighten serve ${flowArgs} --cluster ${rel(written.clusterFile)} --repo ${rel(repo)}\n`);
  return EXIT.ok;
}

