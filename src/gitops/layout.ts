/**
 * @module gitops/layout — where things live in the GitOps repository, and the kustomizations that tie them
 * together (usable by Argo CD and Flux as they are):
 *
 * ```
 * kustomization.yaml            root: platform/ and every namespace at audit or enforce
 * tighten.yaml                  configuration, written by people (never by tighten)
 * tighten.state.yaml            stages, history, hashes of generated files (written by tighten only)
 * platform/                     the baseline CiliumClusterwideNetworkPolicies, kustomization.yaml, evidence.yaml
 * namespaces/<ns>/              <workload>.yaml per workload, kustomization.yaml, evidence.yaml
 * ```
 *
 * Evidence files are never referenced by a kustomization. Names become paths only after they pass RFC 1123.
 */
import { isDns1123Label, isDns1123Subdomain } from '../shared/dns-names.js';
import type { BaselineConcern } from '../policy/generate/index.js';
import { GitopsStateError } from './errors.js';
import { renderYaml } from './yaml.js';

export const ROOT_KUSTOMIZATION = 'kustomization.yaml';
export const KUSTOMIZATION = 'kustomization.yaml';
export const EVIDENCE_FILE = 'evidence.yaml';
export const PLATFORM_DIR = 'platform';
export const NAMESPACES_DIR = 'namespaces';

/** File names a policy file must not take. */
const RESERVED = new Set(['kustomization', 'evidence']);

/** `namespaces/<ns>`. @throws GitopsStateError when `ns` is not an RFC 1123 label */
export function namespaceDir(ns: string): string {
  if (!isDns1123Label(ns)) throw new GitopsStateError(`namespace ${JSON.stringify(ns)} is not an RFC 1123 label: it cannot become a folder name`);
  return `${NAMESPACES_DIR}/${ns}`;
}

/** `<name>.yaml` (`<name>.policy.yaml` for `kustomization` and `evidence`). @throws GitopsStateError when `name` is not an RFC 1123 subdomain */
export function policyFileName(name: string): string {
  if (!isDns1123Subdomain(name)) throw new GitopsStateError(`workload name ${JSON.stringify(name)} is not an RFC 1123 subdomain: it cannot become a file name`);
  return RESERVED.has(name) ? `${name}.policy.yaml` : `${name}.yaml`;
}

/** `platform/<concern>.yaml`. */
export const baselineFile = (concern: BaselineConcern): string => `${PLATFORM_DIR}/${concern}.yaml`;

/** A Kustomization listing `resources` (sorted, deduplicated), with one comment line. */
export function renderKustomization(resources: readonly string[], comment: string): string {
  const list = [...new Set(resources)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `# ${comment}\n${renderYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: list })}`;
}

/** The stages whose namespaces the root kustomization applies: NetworkPolicy has no audit mode, so only `enforce` there. */
export const appliedStages = (format: 'cilium' | 'networkpolicy'): readonly ('audit' | 'enforce')[] => (format === 'cilium' ? ['audit', 'enforce'] : ['enforce']);

/** The root kustomization: the platform baseline (when written) and the namespaces whose stage applies them. */
export function renderRootKustomization(platform: boolean, applied: readonly string[], format: 'cilium' | 'networkpolicy'): string {
  const stages = appliedStages(format);
  return renderKustomization(
    [...(platform ? [PLATFORM_DIR] : []), ...applied.map(namespaceDir)],
    `tighten: the platform baseline and the namespaces at ${stages.join(' or ')} (namespaces in ${format === 'cilium' ? 'observe' : 'observe or audit'} are written but not applied)`,
  );
}

/** The comment of a namespace's kustomization, which names its stage. */
export const namespaceKustomizationComment = (ns: string, stage: string): string => `tighten: namespace ${ns}, stage ${stage}`;
