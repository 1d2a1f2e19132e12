/**
 * @module gitops/applied — the policies a repository applies: every policy file of `platform/` and of the folders of
 * the namespaces whose stage the root kustomization lists (generated or hand-written), decoded and sanitized. For
 * the connectivity delta of a stage change, and for `watch`, which replays live traffic against them. Pure.
 */
import { decodePolicies, sanitizePolicies, type LoadedPolicy } from '../policy/model/index.js';
import { EVIDENCE_FILE, KUSTOMIZATION, NAMESPACES_DIR, PLATFORM_DIR } from './layout.js';

/**
 * The policies in `files` (repository-relative path → text) of the platform and of the `applied` namespaces, in
 * path order; each carries its file as `${repo}/${path}`. Files that do not decode as policies are left out
 * (`readRepository` reports them).
 */
export function appliedPolicies(files: ReadonlyMap<string, string>, applied: readonly string[], repo: string, options: { readonly ciliumVersion?: string } = {}): LoadedPolicy[] {
  const folders = new Set([PLATFORM_DIR, ...applied.map((ns) => `${NAMESPACES_DIR}/${ns}`)]);
  const out: LoadedPolicy[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (slash < 0 || !folders.has(path.slice(0, slash)) || name === KUSTOMIZATION || name === EVIDENCE_FILE) continue;
    try {
      out.push(...decodePolicies(text, `${repo}/${path}`).policies);
    } catch {
      // Not a policy file: not applied as one either.
    }
  }
  return [...sanitizePolicies(out, options.ciliumVersion ? { ciliumVersion: options.ciliumVersion } : {}).policies];
}
