/**
 * @module cli — parses the command line, dispatches to a command, and turns errors into exit codes
 * in one place: 0 ok, 1 findings, 2 usage or input error, 3 internal error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, InputError, ToolError, UsageError, formatLocation, type ExitCode } from '../shared/errors.js';
import { SAMPLE_SIZE_NAMES } from '../sample/index.js';
import { acceptCommand } from './commands/accept.js';
import { demoCommand } from './commands/demo.js';
import { DIFF_FORMATS, diffCommand } from './commands/diff.js';
import { driftCommand } from './commands/drift.js';
import { DRIFT_FORMATS } from '../report/drift.js';
import { INVENTORY_FORMATS, inventoryCommand } from './commands/inventory.js';
import { planCommand } from './commands/plan.js';
import { preflightCommand } from './commands/preflight.js';
import { promoteCommand } from './commands/promote.js';
import { rollbackCommand } from './commands/rollback.js';
import { TRANSITION_FORMATS } from '../report/transition.js';
import { DIRECTION_CHOICES } from '../rollout/index.js';
import { PLAN_FORMATS } from '../report/plan.js';
import { recommendCommand } from './commands/recommend.js';
import { POLICY_FORMATS } from '../gitops/index.js';
import { PREFLIGHT_FORMATS } from '../report/preflight.js';
import { RECOMMEND_FORMATS } from '../report/recommend.js';
import { DEFAULT_LISTEN, serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { traceCommand } from './commands/trace.js';
import { watchCommand } from './commands/watch.js';
import { WATCH_FORMATS } from '../report/watch.js';
import { RELAY_FLAG_OPTIONS, type RelayFlags } from '../relay/index.js';
import { SIMULATION_FORMATS } from '../report/simulation.js';
import { TRACE_FORMATS } from '../report/trace.js';
import { KUBE_OPTIONS, kubeOptionsOf } from './cluster-source.js';
import { snapshotCommand } from './commands/snapshot.js';
import { processIo, type Io } from './io.js';
import { parseDuration, parseWindow } from './window.js';
import type { StoreSettings } from '../store/index.js';
import { compactCommand } from './commands/compact.js';
import { OBSERVE_FORMATS, observeCommand } from './commands/observe.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  /** Whether positional arguments are allowed (and what they mean, for the help text). */
  readonly positionals?: string;
  run(values: Values, positionals: string[], io: Io): Promise<ExitCode>;
}

const SOURCE_OPTIONS: Options = {
  flows: { type: 'string', multiple: true, short: 'f' },
  store: { type: 'string' },
  cluster: { type: 'string', multiple: true, short: 'c' },
  ...KUBE_OPTIONS,
  namespace: { type: 'string', multiple: true, short: 'n' },
  now: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  repo: { type: 'string' },
};

/** Appended to the usage of every command that takes `--cluster`. */
const KUBE_USAGE = '  --kube [--context C] [--kubeconfig F] reads the cluster from the live API instead of --cluster dumps (never Secrets)\n';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

function required(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${option} is required`);
  return value;
}

function integer(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(n)) throw new UsageError(`--${option} must be a whole number (got ${JSON.stringify(value)})`);
  return n;
}

/** Relay's flags for observe and watch: there `--follow FILE` names an exporter file, and a Relay stream is followed. */
const { follow: _relayFollow, ...RELAY_OPTIONS_OF_OBSERVE } = RELAY_FLAG_OPTIONS;

/** `N/DURATION` (`5/10m`): N distinct drops within DURATION. */
function thresholdOf(value: unknown): { distinct: number; windowMs: number } {
  if (value === undefined) return { distinct: 5, windowMs: 600_000 };
  const m = typeof value === 'string' ? /^(\d+)\/(.+)$/.exec(value) : null;
  const windowMs = m ? parseDuration(m[2]!) : undefined;
  if (m === null || windowMs === undefined || Number(m[1]) < 1) throw new UsageError(`--threshold must be N/DURATION, e.g. 5/10m (got ${JSON.stringify(value)})`);
  return { distinct: Number(m[1]), windowMs };
}

const durationOf = (option: string, value: unknown, fallback: number): number => (value === undefined ? fallback : duration(option, value));

function duration(option: string, value: unknown): number {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) throw new UsageError(`--${option} must be a duration such as 10s, 90m, 48h or 30d (got ${JSON.stringify(value)})`);
  return ms;
}

/** `--now`, `--since`, `--until`. */
const windowOf = (v: Values) => parseWindow({ now: v.now as string | undefined, since: v.since as string | undefined, until: v.until as string | undefined });

/** `--flows` (and positional flow files), `--store`, `--cluster`, `--kube` and the window, as every reading command takes them. */
const sourceOf = (v: Values, positionals: readonly string[] = []) => ({
  flows: [...strings(v.flows), ...positionals],
  ...(typeof v.store === 'string' ? { store: v.store } : {}),
  cluster: strings(v.cluster),
  kube: kubeOptionsOf(v),
  window: windowOf(v),
});

/** What `promote` and `rollback` both take (`StageChangeOptions`). */
const stageChangeOf = (v: Values, positionals: readonly string[]) => ({
  namespaces: [...namespacesOf(positionals), ...namespacesOf(v.namespace)],
  direction: oneOf('direction', v.direction, DIRECTION_CHOICES, 'both'),
  ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
  ...(typeof v.by === 'string' ? { by: v.by } : {}),
  commit: v.commit === true,
  ...sourceOf(v),
  ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
  ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
  output: oneOf('output', v.output, TRANSITION_FORMATS, 'markdown'),
  quiet: v.quiet === true,
});

/** `--namespace a,b` and `--namespace a --namespace b` both work. */
const namespacesOf = (v: unknown): string[] => strings(v).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

/** `--rollup-after`, `--retention`, `--dedupe-horizon`: store settings to change. */
function storeSettingsOf(v: Values): Partial<StoreSettings> {
  const hours = (option: string) => duration(option, v[option]) / 3_600_000;
  return {
    ...(v['rollup-after'] !== undefined ? { rollupAfterHours: hours('rollup-after') } : {}),
    ...(v.retention !== undefined ? { retentionHours: hours('retention') } : {}),
    ...(v['dedupe-horizon'] !== undefined ? { uuidHorizonSeconds: duration('dedupe-horizon', v['dedupe-horizon']) / 1000 } : {}),
  };
}

const COMMANDS: Readonly<Record<string, Command>> = {
  accept: {
    summary: 'accept would-be drops of a namespace, with a reason and an expiry, so that they stop blocking enforce',
    usage: 'tighten accept NS --drop "KEY" … --reason "…" --expires T|DURATION [--repo DIR] [--by WHO] [--commit] [--now T]',
    positionals: 'the namespace',
    options: { drop: { type: 'string', multiple: true }, reason: { type: 'string' }, expires: { type: 'string' }, by: { type: 'string' }, commit: { type: 'boolean' }, repo: { type: 'string' }, now: { type: 'string' } },
    run: (v, positionals, io) => {
      if (positionals.length !== 1) throw new UsageError(`accept takes one namespace (got ${positionals.length})`);
      return acceptCommand(
        {
          namespace: positionals[0]!,
          drops: strings(v.drop),
          ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
          ...(typeof v.expires === 'string' ? { expires: v.expires } : {}),
          ...(typeof v.by === 'string' ? { by: v.by } : {}),
          commit: v.commit === true,
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          ...(typeof v.now === 'string' ? { now: parseWindow({ now: v.now }).now! } : {}),
        },
        io,
      );
    },
  },
  compact: {
    summary: 'roll a flow store\'s old hours up into days and drop what is past retention (a ClickHouse store compacts only so: run it on a schedule)',
    usage: 'tighten compact [--store DIR|clickhouse://USER@HOST:8123/DB] [--rollup-after DURATION] [--retention DURATION] [-o text|json]',
    options: { store: { type: 'string' }, 'rollup-after': { type: 'string' }, retention: { type: 'string' }, 'dedupe-horizon': { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, _positionals, io) =>
      compactCommand({ ...(typeof v.store === 'string' ? { store: v.store } : {}), settings: storeSettingsOf(v), output: oneOf('output', v.output, OBSERVE_FORMATS, 'text') }, io),
  },
  demo: {
    summary: 'generate a realistic sample cluster and its Hubble traffic, and run tighten on it',
    usage: 'tighten demo [--dir DIR] [--size small|medium|large] [--seed N] [--quiet]',
    options: { dir: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
    run: (v, _positionals, io) =>
      demoCommand(
        {
          ...(typeof v.dir === 'string' ? { dir: v.dir } : {}),
          size: oneOf('size', v.size, SAMPLE_SIZE_NAMES, 'small'),
          seed: integer('seed', v.seed, 1),
          quiet: v.quiet === true,
        },
        io,
      ),
  },
  diff: {
    summary: 'the connectivity change between two policy sets (files, directories or git revisions): what becomes allowed or denied, and why',
    usage: 'tighten diff OLD NEW [--cluster FILE|DIR …] [--flows FILE|DIR|- …|--store DIR] [--repo DIR] [--namespace NS …] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y] [--exit-code] [-o text|json|markdown]',
    positionals: 'OLD and NEW: each a policy file, a directory, or a git revision (git:REV[:PATH], or a bare REV[:PATH] that is not a path)',
    options: { ...SOURCE_OPTIONS, 'cilium-version': { type: 'string' }, 'exit-code': { type: 'boolean' }, output: { type: 'string', short: 'o' } },
    run: (v, positionals, io) =>
      diffCommand(
        {
          sets: positionals,
          ...sourceOf(v),
          namespaces: namespacesOf(v.namespace),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          exitCode: v['exit-code'] === true,
          output: oneOf('output', v.output, DIFF_FORMATS, 'text'),
          quiet: v.quiet === true,
        },
        io,
      ),
  },
  drift: {
    summary: 'the repository against the cluster: policies applied by hand, not synced, changed in the cluster, or live though not applied',
    usage: 'tighten drift (--cluster FILE|DIR …|--kube [--context C] [--kubeconfig F]) [--repo DIR] [-o text|json|markdown]',
    options: { cluster: { type: 'string', multiple: true, short: 'c' }, ...KUBE_OPTIONS, repo: { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, _positionals, io) =>
      driftCommand({ cluster: strings(v.cluster), kube: kubeOptionsOf(v), ...(typeof v.repo === 'string' ? { repo: v.repo } : {}), output: oneOf('output', v.output, DRIFT_FORMATS, 'text') }, io),
  },
  inventory: {
    summary: 'who talks to whom, per namespace and workload, ingress and egress apart',
    usage: 'tighten inventory (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--namespace NS …] [--since T|DURATION] [--until T] [--now T] [--repo DIR] [-o text|json|markdown]',
    positionals: 'flow files (same as --flows)',
    options: { ...SOURCE_OPTIONS, output: { type: 'string', short: 'o' } },
    run: (v, positionals, io) =>
      inventoryCommand(
        {
          ...sourceOf(v, positionals),
          namespaces: namespacesOf(v.namespace),
          output: oneOf('output', v.output, INVENTORY_FORMATS, 'text'),
          quiet: v.quiet === true,
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
        },
        io,
      ),
  },
  observe: {
    summary: 'fold Hubble flows (files, stdin, a followed exporter file) into the persistent flow inventory (--store, default .tighten/), with the cluster snapshot',
    usage:
      'tighten observe [--store DIR|clickhouse://USER@HOST:8123/DB [--collector-id NAME] [--spool DIR]] (FILE|DIR … | - | --follow FILE | --relay HOST:PORT [--last N] [--tls …]) [--cluster FILE|DIR …|--kube] [--namespace NS …] [--flush-every DURATION] [--rollup-after DURATION] [--retention DURATION] [--dedupe-horizon DURATION] [-o text|json]',
    positionals: 'flow files, directories, or - for standard input',
    options: {
      store: { type: 'string' },
      'collector-id': { type: 'string' },
      spool: { type: 'string' },
      follow: { type: 'string' },
      ...RELAY_OPTIONS_OF_OBSERVE,
      cluster: { type: 'string', multiple: true, short: 'c' },
      ...KUBE_OPTIONS,
      namespace: { type: 'string', multiple: true, short: 'n' },
      'flush-every': { type: 'string' },
      'rollup-after': { type: 'string' },
      retention: { type: 'string' },
      'dedupe-horizon': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      output: { type: 'string', short: 'o' },
    },
    run: async (v, positionals, io) => {
      const settings = storeSettingsOf(v);
      // Ctrl-C or a TERM ends a follow (or a stdin stream) cleanly: what was read is committed first.
      const stop = new AbortController();
      const onSignal = () => stop.abort(new UsageError('interrupted'));
      const streaming = typeof v.follow === 'string' || typeof v.relay === 'string' || positionals.includes('-');
      if (streaming) {
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      try {
        return await observeCommand(
          {
            ...(typeof v.store === 'string' ? { store: v.store } : {}),
            ...(typeof v['collector-id'] === 'string' ? { collectorId: v['collector-id'] } : {}),
            ...(typeof v.spool === 'string' ? { spool: v.spool } : {}),
            inputs: positionals,
            ...(typeof v.follow === 'string' ? { follow: v.follow } : {}),
            ...(typeof v.relay === 'string' ? { relay: { ...(v as RelayFlags), follow: undefined } } : {}),
            cluster: strings(v.cluster),
            kube: kubeOptionsOf(v),
            namespaces: namespacesOf(v.namespace),
            ...(v['flush-every'] !== undefined ? { flushMs: duration('flush-every', v['flush-every']) } : {}),
            settings,
            output: oneOf('output', v.output, OBSERVE_FORMATS, 'text'),
            quiet: v.quiet === true,
            ...(streaming ? { signal: stop.signal } : {}),
          },
          io,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  },
  plan: {
    summary: 'the ordered next steps of the rollout, in waves and by team: each step\'s gate (pass/blocked), its evidence, what unblocks it and the promote command',
    usage: 'tighten plan (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--repo DIR] [--namespace NS …] [--for NS …] [--approve] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y] [-o text|json|markdown]',
    options: { ...SOURCE_OPTIONS, for: { type: 'string', multiple: true }, approve: { type: 'boolean' }, 'cilium-version': { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, _positionals, io) =>
      planCommand(
        {
          ...sourceOf(v),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          namespaces: namespacesOf(v.namespace),
          for: namespacesOf(v.for),
          approve: v.approve === true,
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          output: oneOf('output', v.output, PLAN_FORMATS, 'text'),
          quiet: v.quiet === true,
        },
        io,
      ),
  },
  preflight: {
    summary: 'is the cluster\'s Cilium configuration safe to stage policies on? each check passes, warns or fails with what to do; a failure blocks promote',
    usage: 'tighten preflight (--cluster FILE|DIR …|--kube [--context C] [--kubeconfig F]) [--cilium-version X.Y] [-o text|json|markdown]  (a dump must hold the cilium-config ConfigMap)',
    options: { cluster: { type: 'string', multiple: true, short: 'c' }, ...KUBE_OPTIONS, 'cilium-version': { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, _positionals, io) =>
      preflightCommand(
        {
          cluster: strings(v.cluster),
          kube: kubeOptionsOf(v),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          output: oneOf('output', v.output, PREFLIGHT_FORMATS, 'text'),
        },
        io,
      ),
  },
  promote: {
    summary: 'move namespaces one stage on (observe → audit → enforce, per direction) behind their gates; rewrites the files and prints the PR summary',
    usage:
      'tighten promote NS… (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--repo DIR] [--to audit|enforce] [--direction ingress|egress|both] [--approve] [--force --reason "…"] [--by WHO] [--commit] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y] [-o markdown|json]',
    positionals: 'the namespaces to promote (a wave in one change)',
    options: {
      ...SOURCE_OPTIONS,
      to: { type: 'string' },
      direction: { type: 'string' },
      approve: { type: 'boolean' },
      force: { type: 'boolean' },
      reason: { type: 'string' },
      by: { type: 'string' },
      commit: { type: 'boolean' },
      'cilium-version': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    run: (v, positionals, io) =>
      promoteCommand(
        {
          ...stageChangeOf(v, positionals),
          ...(v.to !== undefined ? { to: oneOf('to', v.to, ['audit', 'enforce'] as const, 'audit') } : {}),
          approve: v.approve === true,
          force: v.force === true,
        },
        io,
      ),
  },
  recommend: {
    summary: 'recommend a least-privilege policy set from the observed traffic and write it into the GitOps repository',
    usage:
      'tighten recommend (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--repo DIR] [--namespace NS …] [--format cilium|networkpolicy] [--force] [--fqdn-pattern PATTERN …] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y] [-o text|json]',
    options: {
      ...SOURCE_OPTIONS,
      format: { type: 'string' },
      force: { type: 'boolean' },
      'fqdn-pattern': { type: 'string', multiple: true },
      'cilium-version': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    run: (v, _positionals, io) =>
      recommendCommand(
        {
          ...sourceOf(v),
          namespaces: namespacesOf(v.namespace),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          format: oneOf('format', v.format, POLICY_FORMATS, 'cilium'),
          force: v.force === true,
          fqdnPatterns: strings(v['fqdn-pattern']),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          output: oneOf('output', v.output, RECOMMEND_FORMATS, 'text'),
          quiet: v.quiet === true,
        },
        io,
      ),
  },
  rollback: {
    summary: 'take namespaces back a stage (always allowed, no traffic needed); restores the files of that stage byte for byte',
    usage: 'tighten rollback NS… [--repo DIR] [--to audit|observe] [--direction ingress|egress|both] [--reason "…"] [--by WHO] [--commit] [--cluster FILE|DIR …] [--flows FILE|DIR|- …] [-o markdown|json]',
    positionals: 'the namespaces to roll back',
    options: { ...SOURCE_OPTIONS, to: { type: 'string' }, direction: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' }, commit: { type: 'boolean' }, 'cilium-version': { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, positionals, io) =>
      rollbackCommand(
        {
          ...stageChangeOf(v, positionals),
          ...(v.to !== undefined ? { to: oneOf('to', v.to, ['audit', 'observe'] as const, 'audit') } : {}),
        },
        io,
      ),
  },
  serve: {
    summary: 'the web dashboard: service map, rollout board, would-be drops, hygiene and policy diffs; promote and rollback with a token',
    usage: 'tighten serve (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--repo DIR] [--listen 127.0.0.1:8080] [--token-file FILE] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y]',
    options: { ...SOURCE_OPTIONS, listen: { type: 'string' }, 'token-file': { type: 'string' }, 'cilium-version': { type: 'string' } },
    run: (v, _positionals, io) =>
      serveCommand(
        {
          ...sourceOf(v),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          listen: typeof v.listen === 'string' ? v.listen : DEFAULT_LISTEN,
          ...(typeof v['token-file'] === 'string' ? { tokenFile: v['token-file'] } : {}),
          log: v.quiet !== true,
        },
        io,
      ),
  },
  simulate: {
    summary: 'replay observed traffic against a policy set: what would be dropped, why, and the rule that fixes it',
    usage: 'tighten simulate (--policies FILE|DIR …|--repo DIR) (--flows FILE|DIR|- …|--store DIR) [--cluster FILE|DIR …] [--as-enforced] [--namespace NS …] [--since T|DURATION] [--until T] [--now T] [--cilium-version X.Y] [-o text|json|markdown]',
    options: { ...SOURCE_OPTIONS, policies: { type: 'string', multiple: true }, 'as-enforced': { type: 'boolean' }, 'cilium-version': { type: 'string' }, output: { type: 'string', short: 'o' } },
    run: (v, _positionals, io) =>
      simulateCommand(
        {
          policies: [...strings(v.policies), ...strings(v.repo)],
          ...sourceOf(v),
          namespaces: namespacesOf(v.namespace),
          asEnforced: v['as-enforced'] === true,
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          output: oneOf('output', v.output, SIMULATION_FORMATS, 'text'),
          quiet: v.quiet === true,
        },
        io,
      ),
  },
  snapshot: {
    summary: 'write the live cluster\'s objects (never Secrets) to a dump that --cluster reads back, for offline work',
    usage: 'tighten snapshot [--kube] [--context C] [--kubeconfig F] --out FILE|-  (FILE.json: a JSON List; otherwise YAML documents)',
    options: { ...KUBE_OPTIONS, out: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
    run: (v, _positionals, io) =>
      snapshotCommand({ kube: kubeOptionsOf({ ...v, kube: true }) ?? {}, out: required('out', v.out), quiet: v.quiet === true }, io),
  },
  trace: {
    summary: 'one connection through a policy set: each direction\'s verdict, the deciding rules, the near misses',
    usage: 'tighten trace --from NS/NAME|IP|ENTITY|FQDN --to … --port PORT[/PROTO] (--policies FILE|DIR …|--repo DIR) [--cluster FILE|DIR] [--flows …|--store DIR] [--cilium-version X.Y] [-o text|json]',
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string', short: 'p' },
      policies: { type: 'string', multiple: true },
      repo: { type: 'string' },
      cluster: { type: 'string', multiple: true, short: 'c' },
      ...KUBE_OPTIONS,
      flows: { type: 'string', multiple: true, short: 'f' },
      store: { type: 'string' },
      'cilium-version': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    run: (v, _positionals, io) =>
      traceCommand(
        {
          from: required('from', v.from),
          to: required('to', v.to),
          port: required('port', v.port),
          policies: [...strings(v.policies), ...strings(v.repo)],
          cluster: strings(v.cluster),
          kube: kubeOptionsOf(v),
          flows: strings(v.flows),
          ...(typeof v.store === 'string' ? { store: v.store } : {}),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          output: oneOf('output', v.output, TRACE_FORMATS, 'text'),
        },
        io,
      ),
  },
  watch: {
    summary: 'live drops and would-be drops, attributed to namespace, stage, workload and missing rule; alerts with the rollback command; metrics',
    usage:
      'tighten watch (--relay HOST:PORT [--tls …]|--follow FILE|FILE|DIR|- …|--flows …) [--repo DIR] [--cluster FILE|DIR …|--kube] [--namespace NS …] [--threshold N/DURATION] [--repeat-after DURATION] [--on-threshold alert|rollback] [--webhook URL] [--metrics HOST:PORT] [--slice DURATION] [--cilium-version X.Y] [-o text|json]',
    positionals: 'flow files, directories, or - for stdin (hubble observe --follow -o json | tighten watch -)',
    options: {
      flows: { type: 'string', multiple: true, short: 'f' },
      ...RELAY_OPTIONS_OF_OBSERVE,
      follow: { type: 'string' },
      cluster: { type: 'string', multiple: true, short: 'c' },
      ...KUBE_OPTIONS,
      repo: { type: 'string' },
      namespace: { type: 'string', multiple: true, short: 'n' },
      threshold: { type: 'string' },
      'repeat-after': { type: 'string' },
      'on-threshold': { type: 'string' },
      webhook: { type: 'string' },
      metrics: { type: 'string' },
      slice: { type: 'string' },
      'cilium-version': { type: 'string' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
    },
    run: (v, positionals, io) =>
      watchCommand(
        {
          flows: [...strings(v.flows), ...positionals],
          ...(typeof v.relay === 'string' ? { relay: { ...(v as RelayFlags), follow: undefined } } : {}),
          ...(typeof v.follow === 'string' ? { follow: v.follow } : {}),
          cluster: strings(v.cluster),
          kube: kubeOptionsOf(v),
          ...(typeof v.repo === 'string' ? { repo: v.repo } : {}),
          namespaces: namespacesOf(v.namespace),
          ...(typeof v['cilium-version'] === 'string' ? { ciliumVersion: v['cilium-version'] } : {}),
          output: oneOf('output', v.output, WATCH_FORMATS, 'text'),
          ...(typeof v.webhook === 'string' ? { webhook: v.webhook } : {}),
          ...(typeof v.metrics === 'string' ? { metrics: v.metrics } : {}),
          onThreshold: oneOf('on-threshold', v['on-threshold'], ['alert', 'rollback'] as const, 'alert'),
          threshold: thresholdOf(v.threshold),
          repeatAfterMs: durationOf('repeat-after', v['repeat-after'], 60_000),
          sliceMs: durationOf('slice', v.slice, 1_000),
          reloadMs: 2_000,
          quiet: v.quiet === true,
        },
        io,
      ),
  },
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'tighten — from no network policy to enforced, least-privilege CiliumNetworkPolicy, namespace by namespace.',
    '',
    'Usage: tighten <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tighten <command> --help` for a command\'s options.',
    'Exit codes: 0 ok, 1 findings, 2 usage or input error, 3 internal error.',
    '',
  ].join('\n');
}

/** A command's option table, as `parseArgs` takes it (for checking command lines written elsewhere, e.g. manifests). */
export function commandOptions(name: string): Options | undefined {
  return COMMANDS[name]?.options;
}

/** Runs the command line; never calls process.exit. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(helpText());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`${await version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`tighten: unknown command ${JSON.stringify(name)}\n\n${helpText()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`Usage: ${command.usage}\n${'kube' in command.options && name !== 'snapshot' ? KUBE_USAGE : ''}`);
    return EXIT.ok;
  }
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: command.positionals !== undefined, strict: true }) as typeof parsed;
    } catch (cause) {
      throw new UsageError(`${(cause as Error).message}\nUsage: ${command.usage}`, { cause });
    }
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): ExitCode {
  if (error instanceof ToolError) {
    const where = error instanceof InputError ? formatLocation(error.file, error.line) : '';
    const prefix = where && !error.message.startsWith(where) ? `${where}: ` : '';
    io.stderr.write(`tighten: ${prefix}${error.message}\n`);
    return error.exitCode;
  }
  const e = error as Error;
  io.stderr.write(`tighten: internal error: ${e?.stack ?? String(error)}\nThis is a bug in tighten; please report it with the command line and, if you can, the input.\n`);
  return EXIT.internal;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
