/**
 * @module policy/evaluate/fast/options — {@link EvaluateOptions} resolved once into the feature gates
 * the compiled evaluator consults (cilium-semantics.md, version facts in its header).
 */
import { InputError } from '../../../shared/errors.js';
import type { EvaluateOptions } from '../types.js';
import { NEWEST_CILIUM_VERSION, parseCiliumVersion as parseVersion } from '../../../shared/cilium-version.js';

/** The newest Cilium minor whose semantics are modelled. */
export { NEWEST_CILIUM_VERSION };

/** Options with every default filled in and every version-dependent behaviour decided. */
export interface ResolvedOptions {
  /** `major * 1000 + minor`, e.g. 1016 for 1.16. */
  readonly version: number;
  readonly mode: 'default' | 'always' | 'never';
  readonly clusterName: string;
  readonly hostFirewall: boolean;
  /** `enableDefaultDeny` is read (1.16+) and not overridden by `enable-non-default-deny-policies=false` (1.17+). */
  readonly honourEnableDefaultDeny: boolean;
  /** CNP peers naming `io.cilium.k8s.namespace.labels.*` select across namespaces (1.16+, b35017b01c). */
  readonly namespaceLabelsLiftPin: boolean;
  /** `policy-default-local-cluster` defaults to true (1.19+): peers get `io.cilium.k8s.policy.cluster=<local>`. */
  readonly addLocalCluster: boolean;
  /** `endPort` exists (1.16+); before, a port is a single port. */
  readonly endPort: boolean;
  /** `fromNodes`/`toNodes` exist (1.16+); before, the API server prunes them. */
  readonly nodeSelectors: boolean;
  /** `fromRequires`/`toRequires` exist (removed in 1.19). */
  readonly requires: boolean;
  /** A leading `**.` in `matchPattern` matches one or more labels (1.19+); before, it is a plain `*`. */
  readonly doubleStarPattern: boolean;
  /** Default-allow directions get an L7 allow-all on L7 ports (1.18+, e0a7378d04). */
  readonly l7WildcardInDefaultAllow: boolean;
}

/** Parses `major.minor` (a patch and a `v` prefix are tolerated): "1.16" → 1016. */
export function parseCiliumVersion(text: string): number {
  const v = parseVersion(text);
  if (v === undefined) {
    throw new InputError(`ciliumVersion '${text}' is not a version; write major.minor, e.g. "${NEWEST_CILIUM_VERSION}"`);
  }
  return v[0] * 1000 + v[1];
}

/** Fills in the defaults (1.19, default mode, cluster `default`, no host firewall) and decides the version gates. */
export function resolveOptions(options: EvaluateOptions | undefined): ResolvedOptions {
  const version = parseCiliumVersion(options?.ciliumVersion ?? NEWEST_CILIUM_VERSION);
  const mode = options?.policyEnforcementMode ?? 'default';
  if (mode !== 'default' && mode !== 'always' && mode !== 'never') {
    throw new InputError(`policyEnforcementMode '${String(mode)}' is not one of default, always, never`);
  }
  return {
    version,
    mode,
    clusterName: options?.clusterName ?? 'default',
    hostFirewall: options?.hostFirewall ?? false,
    // The flag arrived in 1.17: in 1.16 the field is honoured whatever the option says.
    honourEnableDefaultDeny: version >= 1016 && (version < 1017 || options?.enableNonDefaultDenyPolicies !== false),
    namespaceLabelsLiftPin: version >= 1016,
    addLocalCluster: version >= 1019,
    endPort: version >= 1016,
    nodeSelectors: version >= 1016,
    requires: version < 1019,
    doubleStarPattern: version >= 1019,
    l7WildcardInDefaultAllow: version >= 1018,
  };
}
