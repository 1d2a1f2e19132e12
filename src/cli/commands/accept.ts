/**
 * @module cli/commands/accept — `tighten accept NS --drop KEY… --reason "…" --expires T|DURATION`: a person accepts
 * would-be drops of a namespace (a debug pod's traffic, a job being retired), each with why and until when, so
 * that they stop blocking audit → enforce. The keys are the ones `plan` and `promote` print
 * (`ingress analytics/Pod/tmp-shell -> boutique/Deployment/cartservice TCP/7070`). Recorded in the state file;
 * an acceptance of the same key is replaced. An expired acceptance blocks again, and `plan` says so.
 */
import { join, relative } from 'node:path';
import { STATE_FILE, commitPaths, gitIdentity, readRepository, renderState, withStateLock, writeFileAtomic, isRfc3339, type AcceptanceRecord } from '../../gitops/index.js';
import { EXIT, TransitionError, UsageError, type ExitCode } from '../../shared/errors.js';
import { isDns1123Label } from '../../shared/dns-names.js';
import type { Io } from '../io.js';
import { repoDir } from '../rollout-context.js';
import { checkCommit } from '../stage-change.js';
import { parseDuration } from '../window.js';

export interface AcceptCommandOptions {
  readonly namespace: string;
  readonly drops: readonly string[];
  readonly reason?: string;
  /** RFC 3339, or a duration from now (`30d`). */
  readonly expires?: string;
  readonly by?: string;
  readonly commit: boolean;
  readonly repo?: string;
  /** The time durations count from. @default the clock */
  readonly now?: string;
}

const KEY = /^(ingress|egress) \S+ -> \S+ [A-Za-z0-9]+\/\d+$/;

export async function acceptCommand(opts: AcceptCommandOptions, io: Io): Promise<ExitCode> {
  if (!isDns1123Label(opts.namespace)) throw new UsageError(`${JSON.stringify(opts.namespace)} is not a namespace name`);
  if (opts.drops.length === 0) throw new UsageError('name the would-be drops to accept with --drop "KEY" (tighten plan and tighten promote print them)');
  for (const d of opts.drops) if (!KEY.test(d.trim())) throw new UsageError(`--drop ${JSON.stringify(d)} is not a would-be drop key (e.g. "ingress analytics/Pod/tmp-shell -> boutique/Deployment/cartservice TCP/7070")`);
  if (opts.reason === undefined || opts.reason.trim() === '') throw new UsageError('--reason "…" is required: an acceptance says why the drop is fine');
  if (opts.expires === undefined) throw new UsageError('--expires T|DURATION is required (e.g. 30d, or 2026-12-31T00:00:00Z): an acceptance does not last for ever');
  const now = opts.now !== undefined ? Date.parse(opts.now) : Date.now();
  const ms = parseDuration(opts.expires);
  const expires = ms !== undefined ? new Date(now + ms).toISOString() : opts.expires;
  if (ms === undefined && !isRfc3339(expires)) throw new UsageError(`--expires ${JSON.stringify(opts.expires)} is neither an RFC 3339 time nor a duration (30d, 12h)`);
  if (Date.parse(expires) <= now) throw new UsageError(`--expires ${expires} is already past`);
  const repo = repoDir(opts.repo, io);
  await checkCommit(repo, opts.commit);
  const by = opts.by ?? (await gitIdentity(repo));
  const added: AcceptanceRecord[] = opts.drops.map((key) => ({ namespace: opts.namespace, key: key.trim(), reason: opts.reason!.trim(), expires, ...(by !== undefined ? { by } : {}) }));
  await withStateLock(
    repo,
    async () => {
      const contents = await readRepository(repo);
      if (contents.state.namespaces[opts.namespace] === undefined) throw new TransitionError(`namespace ${opts.namespace} is not in the rollout of ${relative(io.cwd, repo) || '.'}: run tighten recommend --namespace ${opts.namespace} first`);
      const keys = new Set(added.map((a) => a.key));
      const kept = (contents.state.acceptances ?? []).filter((a) => a.namespace !== opts.namespace || !keys.has(a.key));
      await writeFileAtomic(join(repo, STATE_FILE), renderState({ ...contents.state, acceptances: [...kept, ...added] }));
    },
    { warn: (m) => io.stderr.write(`warning: ${m}\n`) },
  );
  const title = `tighten: accept ${added.length === 1 ? 'a would-be drop' : `${added.length} would-be drops`} in ${opts.namespace} until ${expires}`;
  const lines = [`# ${title}`, '', `Why: ${opts.reason.trim()}`, '', ...added.map((a) => `- \`${a.key}\``), ''];
  if (opts.commit) lines.push(`Committed as ${await commitPaths(repo, [STATE_FILE], `${title}\n\n${lines.slice(2).join('\n')}`)}.`, '');
  io.stdout.write(lines.join('\n'));
  return EXIT.ok;
}
