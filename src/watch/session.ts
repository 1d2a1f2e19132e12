/**
 * @module watch/session — `watch`'s core loop, without I/O: the rollout as the repository has it (stages, the
 * policies it applies, the audit-stage ones as if enforced), and slices of live flows turned into attributed,
 * de-duplicated events and alerts. The shell (`cli/commands/watch.ts`) feeds it flows, reloads the repository
 * when it changes, and writes the results out.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { Flow } from '../flows/index.js';
import { appliedNamespaces, repositoryFormat, type RepoSnapshot } from '../gitops/index.js';
import { InventoryBuilder } from '../inventory/index.js';
import { isManagedByTighten } from '../policy/generate/index.js';
import type { CompileEvaluator, EvaluateOptions } from '../policy/evaluate/index.js';
import type { IdentityContext } from '../policy/endpoints.js';
import type { LoadedPolicy } from '../policy/model/index.js';
import { asEnforcing, compileSimulation, simulate, type CompiledSimulation } from '../policy/simulate.js';
import { positionOf, type Position } from '../rollout/index.js';
import { asReplayable, attributeSlice, type RawEvent } from './attribute.js';
import { EventTracker, type TrackerConfig, type WatchAlert, type WatchEvent } from './tracker.js';

/** The rollout as the repository has it. */
export interface WatchedRollout {
  /** Each rollout namespace's position. */
  readonly positions: ReadonlyMap<string, Position>;
  /** The policies the repository applies (`gitops/applied.ts`), by file. */
  readonly applied: readonly LoadedPolicy[];
  /** Namespaces the root kustomization applies. */
  readonly appliedNamespaces: readonly string[];
}

/** The rollout of a repository snapshot, with its applied policies (decoded by the caller). */
export function watchedRollout(snapshot: RepoSnapshot, applied: readonly LoadedPolicy[]): WatchedRollout {
  const positions = new Map(Object.entries(snapshot.state.namespaces).map(([ns, n]) => [ns, positionOf(n.stage, n.enforced)]));
  return { positions, applied, appliedNamespaces: appliedNamespaces(snapshot.state, repositoryFormat(snapshot)) };
}

export interface WatchSessionOptions {
  readonly cluster?: ClusterSnapshot;
  /** The cluster's own policies, sanitized (those the repository also names are replaced by the repository's). */
  readonly existing: readonly LoadedPolicy[];
  readonly identities: IdentityContext;
  readonly evaluate: EvaluateOptions;
  readonly labelPriority: readonly string[];
  readonly tracker: TrackerConfig;
  /** Only events about these namespaces; empty: all. */
  readonly namespaces: readonly string[];
  readonly compile: CompileEvaluator;
}

export interface SliceResult {
  /** Every attributed observation of the slice (for counting), reported or not. */
  readonly observations: readonly RawEvent[];
  /** What to report: first sightings, and repeats once `repeatAfterMs` has passed. */
  readonly events: readonly WatchEvent[];
  readonly alerts: readonly WatchAlert[];
  readonly flows: number;
  readonly edges: number;
  /** Edges dropped for reasons other than policy (not attributed). */
  readonly otherDrops: number;
}

const idOf = (p: LoadedPolicy): string => `${p.policy.kind}\u0000${p.policy.metadata.namespace ?? ''}\u0000${p.policy.metadata.name}`;

export class WatchSession {
  private readonly options: WatchSessionOptions;
  private readonly tracker: EventTracker;
  private readonly known = new Set<string>();
  private rollout: WatchedRollout = { positions: new Map(), applied: [], appliedNamespaces: [] };
  private compiled: CompiledSimulation | undefined;
  private existing: readonly LoadedPolicy[] = [];
  /** The slice being folded (flows are folded as they come, not kept). */
  private builder: InventoryBuilder | undefined;
  private count = 0;
  private lost = 0;

  constructor(options: WatchSessionOptions) {
    this.options = options;
    this.tracker = new EventTracker(options.tracker);
  }

  /** The rollout now watched. */
  get current(): WatchedRollout {
    return this.rollout;
  }

  /** Takes the repository's rollout (at start, and whenever the repository changes). */
  setRollout(rollout: WatchedRollout): void {
    this.rollout = rollout;
    const audit = new Set([...rollout.positions].filter(([, p]) => p.ingress === 'audit' || p.egress === 'audit').map(([ns]) => ns));
    // The audit-stage namespaces' generated policies as if enforced: what they would drop.
    const candidate = rollout.applied.map((p) => (audit.has(p.policy.metadata.namespace ?? '') && isManagedByTighten(p) ? asEnforcing(p) : p));
    const named = new Set(candidate.map(idOf));
    this.existing = this.options.existing.filter((p) => !named.has(idOf(p)));
    this.compiled = compileSimulation(
      { existing: this.existing, candidate, identities: this.options.identities, options: this.options.evaluate, asEnforced: false, labelPriority: this.options.labelPriority },
      this.options.compile,
    );
  }

  add(flow: Flow): void {
    this.builder ??= new InventoryBuilder({ ...(this.options.cluster ? { cluster: this.options.cluster } : {}), ...(this.options.namespaces.length > 0 ? { namespaces: this.options.namespaces } : {}) });
    this.builder.add(flow);
    this.count++;
  }

  addLost(count: number): void {
    this.lost += count;
  }

  /** Flows waiting for the next slice. */
  get buffered(): number {
    return this.count;
  }

  /** Folds the flows added since the last slice and attributes them; `now` (ms) is the tracker's clock. */
  slice(now: number): SliceResult {
    const builder = this.builder;
    const flows = this.count;
    this.builder = undefined;
    this.count = 0;
    if (builder === undefined || this.compiled === undefined) return { observations: [], events: [], alerts: [], flows, edges: 0, otherDrops: 0 };
    const inventory = builder.finish();
    const { edges, observed } = asReplayable(inventory.edges);
    const report = simulate(
      {
        inventory: { ...inventory, edges },
        existing: this.existing,
        candidate: this.compiled.candidate,
        identities: this.options.identities,
        options: this.options.evaluate,
        asEnforced: false,
        labelPriority: this.options.labelPriority,
      },
      this.options.compile,
      this.compiled,
    );
    const { events, stats } = attributeSlice(report, observed, this.rollout.positions, this.known);
    const scope = this.options.namespaces;
    const kept = scope.length === 0 ? events : events.filter((e) => scope.includes(e.namespace));
    const tracked = this.tracker.observe(kept, now);
    return { observations: kept, ...tracked, flows, edges: stats.edges, otherDrops: stats.otherDrops };
  }

  /** Events Hubble reported lost so far. */
  get lostEvents(): number {
    return this.lost;
  }
}
