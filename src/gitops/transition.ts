/**
 * @module gitops/transition — what `promote` and `rollback` write (PRODUCT.md §6), as a plan of file actions. Pure:
 * the repository's files and state in, the actions and the next state out; `repository.ts` applies them.
 *
 * A stage change changes nothing but the stage: the namespace's generated policy files are re-rendered at the new
 * stage (`enableDefaultDeny`, see `stage.ts`), its kustomization's and evidence's stage line are rewritten, and
 * the root kustomization lists the namespaces whose stage applies them. Each file comes out exactly as `recommend`
 * would write it at that stage, so promoting and rolling back restores every file byte for byte, and a
 * `recommend` on the same data afterwards changes nothing.
 *
 * Files a person edited (their bytes differ from the hash tighten recorded) are not rewritten: the change is
 * refused, naming them, because half a namespace at the new stage is worse than none.
 */
import { parse } from 'yaml';
import type { Policy } from '../policy/model/index.js';
import { TransitionError } from '../shared/errors.js';
import { EVIDENCE_FILE, KUSTOMIZATION, NAMESPACES_DIR, PLATFORM_DIR, ROOT_KUSTOMIZATION, appliedStages, namespaceDir, namespaceKustomizationComment, renderKustomization, renderRootKustomization } from './layout.js';
import type { FileAction, PolicyFormat, RepoSnapshot } from './plan.js';
import { atStage, workloadStage } from './stage.js';
import { hashText, renderState, type Direction, type NamespaceState, type RepoState, type Stage, type StageChange } from './state.js';
import { renderPolicyFast } from './yaml.js';

/** One namespace's stage change: where it goes and the history entry it leaves. */
export interface NamespaceMove {
  readonly namespace: string;
  /** The namespace-level stage after the change. */
  readonly stage: Stage;
  /** Directions enforced ahead of the other after the change (only at `audit`). */
  readonly enforced: readonly Direction[];
  readonly entry: StageChange;
}

export interface TransitionPlan {
  /** Every file looked at, in path order; `update` carries the new text. */
  readonly actions: readonly FileAction[];
  /** The text of each file before the change (the paths of `actions`). */
  readonly before: ReadonlyMap<string, string>;
  readonly state: RepoState;
  readonly stateText: string;
  readonly format: PolicyFormat;
  /** Namespaces the root kustomization applies, before and after. */
  readonly appliedBefore: readonly string[];
  readonly appliedAfter: readonly string[];
  /** Hand-written policy files in the moved namespaces' folders: applied as written, whatever the stage. */
  readonly handWritten: readonly string[];
}

const isPolicyFile = (name: string): boolean => name.endsWith('.yaml') && name !== KUSTOMIZATION && name !== EVIDENCE_FILE;
/** The workload a generated file is for: `<name>.yaml`, or `<name>.policy.yaml` for the reserved names. */
const workloadOfFile = (name: string): string => (name.endsWith('.policy.yaml') ? name.slice(0, -'.policy.yaml'.length) : name.slice(0, -'.yaml'.length));

/** The format of the repository's generated policies: `networkpolicy` when they are Kubernetes NetworkPolicies. */
export function repositoryFormat(snapshot: RepoSnapshot): PolicyFormat {
  for (const path of Object.keys(snapshot.state.files)) {
    if (!path.startsWith(`${NAMESPACES_DIR}/`) || !isPolicyFile(path.slice(path.lastIndexOf('/') + 1))) continue;
    const text = snapshot.files.get(path);
    if (text !== undefined) return /^kind: NetworkPolicy$/m.test(text) ? 'networkpolicy' : 'cilium';
  }
  return 'cilium';
}

/** Namespaces whose stage the root kustomization applies. */
export function appliedNamespaces(state: RepoState, format: PolicyFormat): string[] {
  const stages: readonly Stage[] = appliedStages(format);
  return Object.entries(state.namespaces)
    .filter(([, n]) => stages.includes(n.stage))
    .map(([ns]) => ns)
    .sort();
}

/** A generated policy file's text at a stage: parsed, `enableDefaultDeny` set as the stage says, rendered again. */
function policyAt(text: string, path: string, stage: Stage, enforced: readonly Direction[]): string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new TransitionError(`${path}: not YAML (${(e as Error).message.split('\n')[0]}); run tighten recommend to write it again`);
  }
  const policy = doc as Policy;
  if (typeof doc !== 'object' || doc === null || policy.kind === undefined) throw new TransitionError(`${path}: not a policy; run tighten recommend to write it again`);
  if (policy.kind === 'NetworkPolicy') return text; // no audit mode: a NetworkPolicy is applied or not
  if (policy.kind !== 'CiliumNetworkPolicy' || policy.spec === undefined) throw new TransitionError(`${path}: a generated file holding a ${String(policy.kind)} without spec; run tighten recommend to write it again`);
  return renderPolicyFast(atStage(policy, stage, enforced));
}

/** The kustomization's resources, as written. */
function resourcesOf(text: string, path: string): string[] {
  const doc = parse(text) as { resources?: unknown } | null;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.resources)) throw new TransitionError(`${path}: not a kustomization with resources; run tighten recommend to write it again`);
  return doc.resources.map(String);
}

/**
 * Plans the stage changes `moves` on the repository `snapshot` (the state's files as tighten wrote them).
 * @throws TransitionError for a namespace not in the rollout, a folder tighten has not written, or files a person edited
 */
export function planTransitions(snapshot: RepoSnapshot, moves: readonly NamespaceMove[]): TransitionPlan {
  const format = repositoryFormat(snapshot);
  const namespaces: Record<string, NamespaceState> = { ...snapshot.state.namespaces };
  const files: Record<string, string> = { ...snapshot.state.files };
  const desired = new Map<string, string>();
  const edited: string[] = [];
  const handWritten: string[] = [];
  const current = (path: string): string => {
    const text = snapshot.files.get(path);
    if (text === undefined) throw new TransitionError(`${path} is missing: run tighten recommend to write the namespace's files first`);
    const recorded = snapshot.state.files[path];
    if (recorded === undefined || hashText(text) !== recorded) edited.push(path);
    return text;
  };

  for (const move of moves) {
    const ns = move.namespace;
    const was = namespaces[ns];
    if (was === undefined) throw new TransitionError(`namespace ${ns} is not in the rollout: run tighten recommend --namespace ${ns} first`);
    const next: NamespaceState = {
      stage: move.stage,
      ...(move.stage === 'audit' && move.enforced.length > 0 ? { enforced: [...move.enforced] } : {}),
      ...(was.workloads !== undefined ? { workloads: was.workloads } : {}),
      history: [...was.history, move.entry],
    };
    namespaces[ns] = next;
    const dir = namespaceDir(ns);
    const inFolder = [...snapshot.files.keys()].filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')).sort();
    if (!inFolder.includes(`${dir}/${KUSTOMIZATION}`)) throw new TransitionError(`${dir}/${KUSTOMIZATION} is missing: run tighten recommend to write the namespace's files first`);
    for (const path of inFolder) {
      const name = path.slice(dir.length + 1);
      if (snapshot.state.files[path] === undefined) {
        if (isPolicyFile(name)) handWritten.push(path);
        continue;
      }
      const text = current(path);
      if (name === KUSTOMIZATION) desired.set(path, renderKustomization(resourcesOf(text, path), namespaceKustomizationComment(ns, move.stage)));
      else if (name === EVIDENCE_FILE) desired.set(path, text.replace(/^stage: (observe|audit|enforce)$/m, `stage: ${move.stage}`));
      else {
        const at = workloadStage(next, workloadOfFile(name));
        desired.set(path, policyAt(text, path, at.stage, at.enforced));
      }
    }
  }

  const appliedBefore = appliedNamespaces(snapshot.state, format);
  const state: RepoState = { ...snapshot.state, namespaces, files };
  const appliedAfter = appliedNamespaces(state, format);
  const platform = snapshot.files.has(`${PLATFORM_DIR}/${KUSTOMIZATION}`) && snapshot.state.files[`${PLATFORM_DIR}/${KUSTOMIZATION}`] !== undefined;
  if (snapshot.files.has(ROOT_KUSTOMIZATION)) current(ROOT_KUSTOMIZATION);
  desired.set(ROOT_KUSTOMIZATION, renderRootKustomization(platform, appliedAfter, format));

  if (edited.length > 0) {
    throw new TransitionError(
      `${edited.length === 1 ? 'a file tighten wrote was' : `${edited.length} files tighten wrote were`} edited since: ${edited.slice(0, 5).join(', ')}${edited.length > 5 ? ` and ${edited.length - 5} more` : ''}; ` +
        'a stage change rewrites them, which would lose the edits: move the edits to a hand-written file of the folder (or restore the files with git), then run the command again',
    );
  }

  const actions: FileAction[] = [];
  const before = new Map<string, string>();
  for (const [path, content] of [...desired].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const old = snapshot.files.get(path);
    if (old !== undefined) before.set(path, old);
    if (snapshot.notRegular?.has(path)) throw new TransitionError(`${path} is not a regular file (a symbolic link?): tighten does not write through it`);
    files[path] = hashText(content);
    actions.push(old === content ? { path, action: 'unchanged' } : { path, action: old === undefined ? 'create' : 'update', content });
  }
  return { actions, before, state, stateText: renderState(state), format, appliedBefore, appliedAfter, handWritten };
}
