/**
 * @module cli/policy-sets — reads one side of `tighten diff`: a policy file, a directory, or a git
 * revision of the repository the command runs in (`git:REV[:PATH]`, or a bare `REV[:PATH]` that is not
 * an existing path). Git is asked through its own command line (`git rev-parse`, `git ls-tree`,
 * `git cat-file --batch`), so anything git accepts as a revision works: `HEAD~1`, `main`, a tag, a hash.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { PolicyError, InputError } from '../shared/errors.js';
import { decodePolicies, describePolicy, readPolicies, type LoadedPolicy } from '../policy/model/index.js';
import type { PolicySet } from '../policy/diff.js';
import { runGit } from '../gitops/git.js';

/** File names read from a git tree, as a directory walk reads them. */
const POLICY_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads a policy set named on the command line.
 * - An existing file or directory (relative to `cwd`): read as `--policies` reads it.
 * - `git:REV[:PATH]`, or `REV[:PATH]` when no such path exists: the `*.yaml`, `*.yml` and `*.json` files under
 *   PATH (a file or a folder; relative to the repository's top, or to `cwd` when it starts with `./` or `../`;
 *   default: the whole tree) at revision REV, skipping hidden entries below PATH.
 * @param what `OLD` or `NEW`, for messages
 * @param cwd where relative paths start
 * @param repo a folder of the git repository revisions are read from; @default `cwd`
 * @throws InputError for a path that is neither a file, a folder nor a revision, outside a git repository, or a
 *   PATH the revision lacks; PolicyError for an invalid policy or one defined twice
 */
export async function readPolicySet(spec: string, what: string, cwd: string, repo?: string): Promise<PolicySet> {
  if (spec === '') throw new InputError(`${what} is empty: name a policy file, a directory or a git revision (git:REV[:PATH])`);
  if (!spec.startsWith('git:')) {
    const path = isAbsolute(spec) ? spec : join(cwd, spec);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) return { source: spec, policies: await readPolicies([path]) };
  }
  const gitSpec = spec.startsWith('git:') ? spec.slice(4) : spec;
  const colon = gitSpec.indexOf(':');
  const rev = colon < 0 ? gitSpec : gitSpec.slice(0, colon);
  const rawPath = colon < 0 ? '' : gitSpec.slice(colon + 1);
  const notPath = spec.startsWith('git:') ? '' : 'no such file or directory, and ';

  const gitDir = repo === undefined ? cwd : isAbsolute(repo) ? repo : join(cwd, repo);
  const top = await runGit(['rev-parse', '--show-toplevel'], gitDir).catch((cause: unknown) => {
    throw new InputError(`${what} ${JSON.stringify(spec)}: ${notPath}not a git revision: ${gitDir} is not inside a git repository (${gitMessage(cause)})`, {}, { cause });
  });
  const root = top.toString('utf8').trim();
  if (rev === '') throw new InputError(`${what} ${JSON.stringify(spec)}: no revision before the ':' (write git:HEAD:${rawPath})`);
  const commit = (
    await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], root).catch((cause: unknown) => {
      throw new InputError(`${what} ${JSON.stringify(spec)}: ${notPath}not a revision of the repository at ${root} (try a branch, a tag, a commit or HEAD~1)`, {}, { cause });
    })
  )
    .toString('utf8')
    .trim();
  let path = rawPath;
  if (path.startsWith('./') || path.startsWith('../') || path === '.' || path === '..') {
    const prefix = (await runGit(['rev-parse', '--show-prefix'], gitDir)).toString('utf8').trim();
    path = posix.normalize(posix.join(prefix, path));
    if (path.startsWith('..')) throw new InputError(`${what} ${JSON.stringify(spec)}: ${rawPath} is outside the repository at ${root}`);
  }
  path = path.replace(/^\/+|\/+$/g, '').replace(/^\.$/, '');
  const label = `git:${rev}${path === '' ? '' : `:${path}`}`;
  const listed = (await runGit(['ls-tree', '-r', '-z', '--name-only', commit, '--', ...(path === '' ? [] : [path])], root))
    .toString('utf8')
    .split('\0')
    .filter((f) => f !== '');
  if (listed.length === 0 && path !== '') throw new InputError(`${what} ${JSON.stringify(spec)}: no file or folder ${path} in ${rev} (${commit.slice(0, 12)})`);
  const below = (f: string) => (path === '' ? f : f === path ? '' : f.slice(path.length + 1));
  const files = listed.filter((f) => (f === path || POLICY_FILE.test(f)) && !below(f).split('/').some((part) => part.startsWith('.')) && !f.includes('\n')).sort();
  const texts = await catFiles(root, files.map((f) => `${commit}:${f}`));
  const policies: LoadedPolicy[] = [];
  files.forEach((f, i) => policies.push(...decodePolicies(texts[i]!.replace(/^\uFEFF/, ''), `git:${rev}:${f}`).policies));
  const twice = duplicates(policies);
  if (twice.length > 0) throw new PolicyError(`${label}: ${twice.join('; ')}`);
  return { source: label, policies };
}

function duplicates(policies: readonly LoadedPolicy[]): string[] {
  const seen = new Map<string, LoadedPolicy>();
  const out: string[] = [];
  for (const p of policies) {
    const m = p.policy.metadata;
    const key = `${p.policy.kind}\u0000${m.namespace ?? ''}\u0000${m.name}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, p);
    else out.push(`${describePolicy({ kind: p.policy.kind, namespace: m.namespace, name: m.name })} is defined twice: in ${first.source?.file} and in ${p.source?.file}`);
  }
  return out;
}

const gitMessage = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause)).trim().split('\n')[0] ?? '';

/** The blobs named `commit:path`, in order, through one `git cat-file --batch`. */
async function catFiles(root: string, objects: readonly string[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const buf = await runGit(['cat-file', '--batch'], root, `${objects.join('\n')}\n`);
  const texts: string[] = [];
  let at = 0;
  for (const name of objects) {
    const eol = buf.indexOf(0x0a, at);
    const header = buf.subarray(at, eol).toString('utf8');
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (m === null || m[1] !== 'blob') throw new InputError(`${name}: git cat-file answered ${JSON.stringify(header)}`);
    const size = Number(m[2]);
    texts.push(buf.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return texts;
}
