/**
 * @module cli/commands/watch — `tighten watch`: live drops and would-be drops, attributed (`watch/`). Reads flows
 * from Hubble Relay (`--relay`, followed), an exporter file (`--follow`), files, directories or stdin (`hubble observe --follow -o json | tighten watch -`), the cluster, and the
 * GitOps repository for stages and policies — reloaded when its state file or root kustomization changes. Flows
 * are cut into slices (by count, by flow time, and once a second on a live stream); each slice's events are printed
 * (text or JSON lines), posted to `--webhook`, and counted for Prometheus (`--metrics`). A namespace past its
 * threshold raises one alert with its rollback command; `--on-threshold rollback` writes that rollback into the
 * repository (never into the cluster).
 */
import type { Server } from 'node:http';
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readConfig } from '../../config/index.js';
import { appliedNamespaces, appliedPolicies, readRepository, repositoryFormat, ROOT_KUSTOMIZATION, STATE_FILE } from '../../gitops/index.js';
import { fileFlowSource, type Flow, type FlowSink } from '../../flows/index.js';
import { describeGap, readRelayOptions, relayFlowSource, type RelayFlags } from '../../relay/index.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';
import { compileEvaluator } from '../../policy/evaluate/index.js';
import { identityContext } from '../../policy/endpoints.js';
import { decodePolicyObject, sanitizePolicies } from '../../policy/model/index.js';
import { alertJson, alertLine, eventJson, eventLine, type WatchFormat } from '../../report/watch.js';
import { EXIT, UsageError, type ExitCode } from '../../shared/errors.js';
import { followFlowSource } from '../../store/index.js';
import { suggestionPatch } from '../../watch/patch.js';
import { stageLabel, WatchMetrics } from '../../watch/metrics.js';
import { WatchSession, watchedRollout, type SliceResult } from '../../watch/session.js';
import { DEFAULT_TRACKER_CONFIG, type WatchAlert } from '../../watch/tracker.js';
import { Webhook } from '../../watch/webhook.js';
import { readClusterSource, type KubeOptions } from '../cluster-source.js';
import { bufferIo, type Io } from '../io.js';
import { repoDir } from '../rollout-context.js';
import { repoFlag } from '../stage-change.js';
import { rollbackCommand } from './rollback.js';

export interface WatchCommandOptions {
  /** Files, directories, `-` for stdin. */
  readonly flows: readonly string[];
  /** A Hubble exporter file to follow instead (across rotation and truncation). */
  readonly follow?: string | undefined;
  /** Hubble Relay instead of files (`--relay HOST:PORT` and its TLS flags); the stream is followed. */
  readonly relay?: RelayFlags | undefined;
  readonly cluster: readonly string[];
  readonly kube?: KubeOptions | undefined;
  readonly repo?: string;
  readonly namespaces: readonly string[];
  readonly ciliumVersion?: string;
  readonly output: WatchFormat;
  readonly webhook?: string;
  /** `HOST:PORT` for the Prometheus endpoint. */
  readonly metrics?: string;
  readonly onThreshold: 'alert' | 'rollback';
  /** `N/DURATION`: N distinct drops or would-be drops within DURATION raise an alert. */
  readonly threshold: { readonly distinct: number; readonly windowMs: number };
  readonly repeatAfterMs: number;
  /** Slice length in flow time, ms. @default 1000 */
  readonly sliceMs: number;
  /** How often the repository is checked for changes, ms. @default 2000 */
  readonly reloadMs: number;
  readonly quiet: boolean;
  /** Stops a live watch (as Ctrl-C does). */
  readonly signal?: AbortSignal;
}

/** Most flows in one slice. */
const MAX_SLICE_FLOWS = 50_000;

/** `HOST:PORT` → its parts. @throws UsageError */
export function parseListen(option: string, text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw new UsageError(`--${option} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export async function watchCommand(opts: WatchCommandOptions, io: Io): Promise<ExitCode> {
  const given = [opts.flows.length > 0, opts.relay !== undefined, opts.follow !== undefined].filter(Boolean).length;
  if (given === 0) throw new UsageError('no flows given: pass --relay HOST:PORT, --follow FILE (a Hubble exporter file), files, or - for stdin (hubble observe --follow -o json | tighten watch - --repo DIR)');
  if (given > 1) throw new UsageError('watch reads one source: flow files (or -), --follow FILE, or --relay HOST:PORT');
  const relayOptions = opts.relay !== undefined ? await readRelayOptions(opts.relay, { follow: opts.relay.last === undefined, ...(opts.namespaces.length > 0 ? { namespaces: opts.namespaces } : {}) }) : undefined;
  const metricsAt = opts.metrics !== undefined ? parseListen('metrics', opts.metrics) : undefined;
  if (opts.webhook !== undefined && !/^https?:\/\//.test(opts.webhook)) throw new UsageError(`--webhook ${JSON.stringify(opts.webhook)} is not an http(s) URL`);
  const repo = repoDir(opts.repo, io);
  const config = await readConfig(repo);
  const cluster = await readClusterSource({ cluster: opts.cluster, kube: opts.kube }, io);
  for (const w of cluster?.warnings ?? []) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
  const evaluate = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const sanitizeOptions = evaluate.ciliumVersion ? { ciliumVersion: evaluate.ciliumVersion } : {};
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), sanitizeOptions).policies;
  const flag = repoFlag(repo, io);
  /** The repository as messages show it; policy files are named under it. */
  const shownRepo = relative(io.cwd, repo) || '.';
  const session = new WatchSession({
    ...(cluster ? { cluster } : {}),
    existing,
    identities: identityContext(cluster),
    evaluate,
    labelPriority: config.labels.priority,
    tracker: { ...DEFAULT_TRACKER_CONFIG, repeatAfterMs: opts.repeatAfterMs, threshold: opts.threshold, repoFlag: flag },
    namespaces: opts.namespaces,
    compile: compileEvaluator,
  });

  // The repository: read now, and again whenever its state file or root kustomization changes.
  let files = new Map<string, string>();
  let signature = '';
  const signatureOf = async (): Promise<string> => {
    const parts = await Promise.all([STATE_FILE, ROOT_KUSTOMIZATION].map((f) => stat(join(repo, f)).then((s) => `${s.mtimeMs}:${s.size}`, () => '-')));
    return parts.join('|');
  };
  const load = async (): Promise<void> => {
    signature = await signatureOf();
    const contents = await readRepository(repo);
    files = new Map(contents.files);
    const applied = appliedPolicies(contents.files, appliedNamespaces(contents.state, repositoryFormat(contents)), shownRepo, sanitizeOptions);
    session.setRollout(watchedRollout(contents, applied));
  };
  await load();
  const stages = [...session.current.positions].map(([ns, p]) => `${ns} ${p.ingress === p.egress ? p.ingress : `ingress=${p.ingress} egress=${p.egress}`}`);
  if (!opts.quiet) io.stderr.write(`watching ${relative(io.cwd, repo) || '.'}: ${stages.length > 0 ? stages.join(', ') : 'no namespace in the rollout yet'}\n`);

  const metrics = new WatchMetrics();
  let server: Server | undefined;
  if (metricsAt !== undefined) {
    server = await metrics.listen(metricsAt.host, metricsAt.port);
    const a = server.address();
    if (!opts.quiet && a !== null && typeof a === 'object') io.stderr.write(`metrics on http://${metricsAt.host.includes(':') ? `[${metricsAt.host}]` : metricsAt.host}:${a.port}/metrics\n`);
  }
  const webhook = opts.webhook !== undefined ? new Webhook(opts.webhook, { warn: (m) => io.stderr.write(`warning: ${m}\n`) }) : undefined;

  let events = 0;
  let alerts = 0;
  let flowsSeen = 0;
  let latest = '';
  const rolledBack = new Set<string>();
  const emit = async (r: SliceResult): Promise<void> => {
    flowsSeen += r.flows;
    metrics.count(r.flows, r.observations.map((o) => ({ kind: o.kind, namespace: o.namespace, stage: stageLabel(o), flows: o.flows, ...(o.direction ? { direction: o.direction } : {}) })), r.otherDrops);
    for (const e of r.events) {
      events++;
      if (e.report === 'first') metrics.firstSeen(e);
      const file = e.suggestion?.policy?.file;
      const rel = file?.startsWith(`${shownRepo}/`) ? file.slice(shownRepo.length + 1) : undefined;
      const text = rel !== undefined && e.report === 'first' ? files.get(rel) : undefined;
      const patch = text !== undefined && e.suggestion !== undefined ? suggestionPatch(rel!, text, e.suggestion) : undefined;
      io.stdout.write(opts.output === 'json' ? eventJson(e, patch) : eventLine(e, patch));
      webhook?.post(JSON.parse(eventJson(e, patch)));
    }
    for (const a of r.alerts) {
      alerts++;
      metrics.alert(a.namespace);
      io.stdout.write(opts.output === 'json' ? alertJson(a) : alertLine(a));
      webhook?.post(JSON.parse(alertJson(a)));
      if (opts.onThreshold === 'rollback') await rollBack(a);
    }
  };
  const rollBack = async (a: WatchAlert): Promise<void> => {
    if (a.rollback === undefined || rolledBack.has(a.namespace)) return;
    rolledBack.add(a.namespace);
    const enforced = a.position === undefined ? [] : (['ingress', 'egress'] as const).filter((d) => a.position![d] === 'enforce');
    const to = enforced.length > 0 ? 'audit' : 'observe';
    // Its summary is not printed (the alert said what and why); its errors are.
    const sink = { ...bufferIo(io.cwd), stderr: io.stderr, env: io.env };
    const code = await rollbackCommand(
      {
        namespaces: [a.namespace],
        to,
        direction: enforced.length === 1 ? enforced[0]! : 'both',
        reason: `watch: ${a.distinct} distinct drops or would-be drops in ${Math.round(a.windowMs / 60_000)} min`,
        commit: false,
        flows: [],
        cluster: [],
        window: {},
        repo,
        output: 'json',
        quiet: true,
      },
      sink,
    ).catch((e: unknown) => {
      io.stderr.write(`warning: --on-threshold rollback of ${a.namespace} failed: ${(e as Error).message}\n`);
      return EXIT.usage;
    });
    if (code === EXIT.ok) {
      io.stderr.write(`rolled back ${a.namespace} to ${to} in ${relative(io.cwd, repo) || '.'} (a repository change: review and push it)\n`);
      await load();
    }
  };

  // Slices: cut by count and by flow time as flows arrive, and once a second on a live stream.
  let sliceStart = '';
  let busy: Promise<void> = Promise.resolve();
  const cut = (): void => {
    if (session.buffered === 0) return;
    const now = Date.parse(latest);
    const r = session.slice(Number.isNaN(now) ? Date.now() : now);
    sliceStart = '';
    metrics.setLost(session.lostEvents);
    metrics.setLag((Date.now() - now) / 1000);
    busy = busy.then(() => emit(r));
  };
  const timer = setInterval(() => {
    void signatureOf().then(async (s) => {
      if (s === signature) return;
      await load();
      if (!opts.quiet) io.stderr.write('repository changed: stages and policies reloaded\n');
    });
    cut();
  }, Math.min(1000, opts.reloadMs));
  timer.unref();
  const sink: FlowSink = {
    flow: (f: Flow) => {
      if (f.time > latest) latest = f.time;
      if (sliceStart === '') sliceStart = f.time;
      session.add(f);
      if (session.buffered >= MAX_SLICE_FLOWS || Date.parse(f.time) - Date.parse(sliceStart) >= opts.sliceMs) cut();
    },
    lost: (l) => session.addLost(l.numEventsLost),
  };
  // A live stream runs until it ends or is interrupted (Ctrl-C): then the last slice is reported and the summary printed.
  const stop = new AbortController();
  const interrupt = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  if (opts.signal?.aborted) interrupt();
  opts.signal?.addEventListener('abort', interrupt, { once: true });
  const source =
    relayOptions !== undefined
      ? relayFlowSource({ ...relayOptions, onGap: (g) => io.stderr.write(`gap: ${describeGap(g)}\n`), onRetry: (r) => io.stderr.write(`warning: Relay: ${r.reason}; retrying in ${Math.round(r.delayMs / 100) / 10} s\n`) })
      : opts.follow !== undefined
        ? followFlowSource(opts.follow)
        : fileFlowSource(opts.flows, { stdin: io.stdin });
  const stats = await source
    .run(sink, stop.signal)
    .catch((e: unknown) => {
      if (stop.signal.aborted) return undefined;
      throw e;
    })
    .finally(() => {
      clearInterval(timer);
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    });
  cut();
  await busy;
  await webhook?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  for (const e of stats?.errors ?? []) io.stderr.write(`warning: ${e.file}:${e.line}: skipped: ${e.message}\n`);
  if (!opts.quiet) {
    io.stderr.write(`watched ${flowsSeen} flows: ${events} event${events === 1 ? '' : 's'}, ${alerts} alert${alerts === 1 ? '' : 's'}${session.lostEvents > 0 ? `, ${session.lostEvents} events lost by Hubble` : ''}\n`);
  }
  return EXIT.ok;
}
