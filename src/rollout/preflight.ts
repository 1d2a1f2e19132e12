/**
 * @module rollout/preflight — is this cluster's Cilium safe to stage policies on? Pure: reads the data of the
 * `cilium-config` ConfigMap and the Cilium version, returns one check per concern, each passing, warning or
 * failing with what to do. A failing preflight blocks `promote` to audit or enforce: on such a cluster an
 * "audit" policy (`enableDefaultDeny: false`) would enforce, or nothing would be observed.
 *
 * Semantics: docs/cilium-semantics.md b.1 (enforcement modes), b.3 (`enableDefaultDeny`, 1.16; the agent
 * flag `enable-non-default-deny-policies`, 1.17), c.3 (`policy-cidr-match-mode`), c.4 (DNS proxy, toFQDNs),
 * e.1–e.3 (audit mode); https://docs.cilium.io/en/stable/security/policy/intro/.
 */
import { UsageError } from '../shared/errors.js';
import { compileIdentityLabelFilter } from '../understand/identity-labels.js';
import type { PreflightSummary } from './evidence.js';
import { parseCiliumVersion, versionAtLeast, type CiliumVersion } from '../shared/cilium-version.js';

export const PREFLIGHT_STATUSES = ['pass', 'warn', 'fail'] as const;
export type PreflightStatus = (typeof PREFLIGHT_STATUSES)[number];

/** One concern of the preflight. */
export interface PreflightCheck {
  /** Stable identifier, e.g. `cilium-version`, `policy-enforcement`. */
  readonly id: string;
  readonly status: PreflightStatus;
  /** One line: what is checked. */
  readonly title: string;
  /** What was found and why it matters (the setting's value, what Cilium does with it). */
  readonly detail: string;
  /** What to do; omitted when nothing needs doing. */
  readonly fix?: string;
}

/**
 * Where the Cilium version came from: `--cilium-version`, the image tag of the agent's DaemonSet
 * (`cilium-agent`), a `cilium-config` key, or nowhere.
 */
export type VersionSource = 'option' | 'cilium-agent' | 'cilium-config' | 'unknown';

export interface PreflightResult {
  /** `major.minor[.patch]` as given or found; omitted when unknown. */
  readonly ciliumVersion?: string;
  readonly versionSource: VersionSource;
  /** Whether the cluster dump held a `cilium-config` ConfigMap. */
  readonly configFound: boolean;
  /** In a fixed order: version, configuration, enforcement, audit, Hubble, L7/DNS proxy, labels, informational. */
  readonly checks: readonly PreflightCheck[];
  /** True when no check failed (warnings do not block). */
  readonly ok: boolean;
}

export interface PreflightOptions {
  /**
   * The Cilium version (`1.17`, `v1.16.3`); when omitted, the agent's (`ciliumAgent`), else looked for in
   * `cilium-config`, else unknown (a warning).
   */
  readonly ciliumVersion?: string;
  /** The agent the cluster runs (`ClusterSnapshot.ciliumAgent`): its version, image and DaemonSet. */
  readonly ciliumAgent?: { readonly version: string; readonly image: string; readonly daemonSet: string };
}

/** The command that dumps the ConfigMap, for the messages. */
export const DUMP_CILIUM_CONFIG = 'kubectl -n kube-system get cm cilium-config -o yaml';

/** A version inside an image reference: `quay.io/cilium/cilium:v1.16.3@sha256:…`. */
const IMAGE_TAG_RE = /:v?(\d+\.\d+(?:\.\d+)?)(?:[-+@][^:]*)?$/;

type Version = CiliumVersion;
const parseVersion = parseCiliumVersion;
const atLeast = versionAtLeast;

/**
 * A version from `cilium-config`, which rarely carries one: a `cilium-version` key, else an image-like key
 * (`image`, `cilium-image`, … — any key naming an image) whose value is a `cilium` image tagged with a version.
 */
function versionInConfig(cfg: Readonly<Record<string, string>>): { version: string; key: string } | undefined {
  const direct = cfg['cilium-version']?.trim();
  if (direct && parseVersion(direct)) return { version: direct.replace(/^v/, ''), key: 'cilium-version' };
  for (const key of Object.keys(cfg).sort()) {
    if (!/image/i.test(key)) continue;
    const value = cfg[key]!.trim();
    const m = IMAGE_TAG_RE.exec(value.split('@')[0]!);
    if (m && /cilium/i.test(value)) return { version: m[1]!, key };
  }
  return undefined;
}

const isFalse = (v: string | undefined): boolean => v?.trim().toLowerCase() === 'false';
const isTrue = (v: string | undefined): boolean => v?.trim().toLowerCase() === 'true';

/**
 * Checks the `cilium-config` data (`undefined`: the dump had none — a failing check that says how to dump it)
 * and the Cilium version. Throws a UsageError only for a `ciliumVersion` option that is not a version.
 */
export function checkPreflight(ciliumConfig: Readonly<Record<string, string>> | undefined, options: PreflightOptions = {}): PreflightResult {
  if (options.ciliumVersion !== undefined && parseVersion(options.ciliumVersion) === undefined) {
    throw new UsageError(`--cilium-version ${JSON.stringify(options.ciliumVersion)} is not a version; write major.minor, e.g. 1.17`);
  }
  // The running agent's image is authoritative; cilium-config names a version only by accident.
  const agent = options.ciliumAgent !== undefined && parseVersion(options.ciliumAgent.version) !== undefined ? options.ciliumAgent : undefined;
  const inConfig = ciliumConfig !== undefined && agent === undefined ? versionInConfig(ciliumConfig) : undefined;
  const found = agent !== undefined ? { version: agent.version, key: '' } : inConfig;
  const versionText = options.ciliumVersion?.trim().replace(/^v/, '') ?? found?.version;
  const versionSource: VersionSource = options.ciliumVersion !== undefined ? 'option' : agent !== undefined ? 'cilium-agent' : found ? 'cilium-config' : 'unknown';
  const version = versionText !== undefined ? parseVersion(versionText) : undefined;
  const from =
    versionSource === 'option' ? '--cilium-version' : agent !== undefined ? `the image ${agent.image} of DaemonSet ${agent.daemonSet}` : `cilium-config key ${inConfig?.key ?? ''}`;

  const checks: PreflightCheck[] = [versionCheck(versionText, version, from)];
  if (ciliumConfig === undefined) {
    checks.unshift({
      id: 'cilium-config',
      status: 'fail',
      title: 'cilium-config ConfigMap',
      detail: 'the cluster dump holds no cilium-config ConfigMap, so nothing about the agent configuration can be checked',
      fix: `add it to the dump: ${DUMP_CILIUM_CONFIG} >> cluster.yaml (after a line "---")`,
    });
  } else {
    checks.push(
      nonDefaultDenyCheck(ciliumConfig['enable-non-default-deny-policies'], version),
      enforcementCheck(ciliumConfig['enable-policy']),
      auditModeCheck(ciliumConfig['policy-audit-mode']),
      hubbleCheck(ciliumConfig['enable-hubble']),
      l7ProxyCheck(ciliumConfig['enable-l7-proxy']),
      dnsProxyCheck(ciliumConfig),
      labelsCheck(ciliumConfig),
      cidrMatchModeCheck(ciliumConfig['policy-cidr-match-mode']),
      hostFirewallCheck(ciliumConfig['enable-host-firewall']),
    );
  }
  return {
    ...(versionText !== undefined ? { ciliumVersion: versionText } : {}),
    versionSource,
    configFound: ciliumConfig !== undefined,
    checks,
    ok: checks.every((c) => c.status !== 'fail'),
  };
}

/** `from` says where the version came from, for the detail. */
function versionCheck(text: string | undefined, version: Version | undefined, from: string): PreflightCheck {
  const title = 'Cilium version honours enableDefaultDeny (1.16 or later)';
  if (text === undefined || version === undefined) {
    return {
      id: 'cilium-version',
      status: 'warn',
      title,
      detail: 'version unknown: pass --cilium-version (cilium-config rarely names it; a dump with the cilium DaemonSet, or --kube, tells it). Before 1.16 Cilium ignores enableDefaultDeny, and an "audit" policy enforces',
      fix: 'pass --cilium-version X.Y (`cilium version` or the agent image tag tells it)',
    };
  }
  if (!atLeast(version, 1, 16)) {
    return {
      id: 'cilium-version',
      status: 'fail',
      title,
      detail: `Cilium ${text} (from ${from}) ignores enableDefaultDeny: an "audit" policy would enforce, dropping whatever it does not allow`,
      fix: 'upgrade Cilium to 1.16 or later before promoting any namespace to audit',
    };
  }
  return { id: 'cilium-version', status: 'pass', title, detail: `Cilium ${text} (from ${from}) honours enableDefaultDeny: false` };
}

function nonDefaultDenyCheck(value: string | undefined, version: Version | undefined): PreflightCheck {
  const title = 'enable-non-default-deny-policies is not false';
  if (isFalse(value)) {
    if (version !== undefined && !atLeast(version, 1, 17)) {
      return {
        id: 'non-default-deny-policies',
        status: 'pass',
        title,
        detail: 'set to false, but the flag exists only from Cilium 1.17; this version ignores it. Upgrading to 1.17 with it kept false would make "audit" policies enforce',
        fix: 'remove enable-non-default-deny-policies: "false" (Helm enableNonDefaultDenyPolicies) before upgrading to 1.17',
      };
    }
    return {
      id: 'non-default-deny-policies',
      status: 'fail',
      title,
      detail: 'enable-non-default-deny-policies is "false": Cilium (1.17 and later) forces enableDefaultDeny to true, so an "audit" policy would enforce',
      fix: 'set Helm enableNonDefaultDenyPolicies: true (cilium-config enable-non-default-deny-policies: "true") and restart the agents',
    };
  }
  return {
    id: 'non-default-deny-policies',
    status: 'pass',
    title,
    detail: value === undefined ? 'not set: the default is true (the flag exists from 1.17)' : `set to ${JSON.stringify(value)}`,
  };
}

function enforcementCheck(value: string | undefined): PreflightCheck {
  const title = 'policy enforcement mode (enable-policy) is default';
  const mode = value?.trim() || 'default';
  switch (mode) {
    case 'default':
      return { id: 'policy-enforcement', status: 'pass', title, detail: `${value === undefined ? 'not set: ' : ''}default — an endpoint is unrestricted until a policy selects it, so the audit stage drops nothing new` };
    case 'always':
      return {
        id: 'policy-enforcement',
        status: 'warn',
        title,
        detail:
          'always — every endpoint is default-deny both ways already, selected or not: the audit stage cannot be non-enforcing, because an endpoint no policy selects is denied anyway, and enableDefaultDeny: false only adds a wildcard allow for the endpoints a policy does select',
        fix: 'expect the audit stage to change what is allowed; check with `tighten simulate --as-enforced` before each promotion, or switch to enable-policy: default (Helm policyEnforcementMode: default)',
      };
    case 'never':
      return {
        id: 'policy-enforcement',
        status: 'fail',
        title,
        detail: 'never — nothing is enforced: no policy-verdict events for audit, and enforcing policies would have no effect',
        fix: 'set Helm policyEnforcementMode: default (cilium-config enable-policy: default) and restart the agents',
      };
    default:
      return { id: 'policy-enforcement', status: 'warn', title, detail: `unknown value ${JSON.stringify(value)}; Cilium knows default, always and never`, fix: 'set enable-policy to default' };
  }
}

function auditModeCheck(value: string | undefined): PreflightCheck {
  const title = 'agent-wide policy audit mode (policy-audit-mode) is off';
  if (isTrue(value)) {
    return {
      id: 'policy-audit-mode',
      status: 'warn',
      title,
      detail:
        'policy-audit-mode is "true": every endpoint runs in audit mode, so enforcing policies do not actually drop (L3/L4 drops become AUDIT verdicts). tighten reads AUDIT flows as extra evidence of would-be drops, but the enforce stage enforces nothing until it is turned off',
      fix: 'leave it on while observing if you wish; turn it off (Helm policyAuditMode: false) before relying on the enforce stage',
    };
  }
  return { id: 'policy-audit-mode', status: 'pass', title, detail: value === undefined ? 'not set: off' : `set to ${JSON.stringify(value)}` };
}

function hubbleCheck(value: string | undefined): PreflightCheck {
  const title = 'Hubble is enabled (enable-hubble)';
  if (isTrue(value)) return { id: 'hubble', status: 'pass', title, detail: 'enable-hubble is "true": flows can be observed' };
  return {
    id: 'hubble',
    status: 'fail',
    title,
    detail: `enable-hubble is ${value === undefined ? 'not set (off)' : JSON.stringify(value)}: there are no flows to observe, so no recommendation, simulation or gate has evidence`,
    fix: 'enable Hubble (Helm hubble.enabled: true, and hubble.relay.enabled for `hubble observe` across nodes)',
  };
}

function l7ProxyCheck(value: string | undefined): PreflightCheck {
  const title = 'the L7 proxy is enabled (enable-l7-proxy)';
  if (isFalse(value)) {
    return {
      id: 'l7-proxy',
      status: 'fail',
      title,
      detail: 'enable-l7-proxy is "false": without it there is no DNS proxy, so no DNS names in Hubble, no L7 DNS rules and no toFQDNs — the platform baseline\'s DNS rule and every FQDN rule cannot work',
      fix: 'set Helm l7Proxy: true (cilium-config enable-l7-proxy: "true") and restart the agents',
    };
  }
  return { id: 'l7-proxy', status: 'pass', title, detail: value === undefined ? 'not set: on by default; DNS visibility and toFQDNs work' : `set to ${JSON.stringify(value)}; DNS visibility and toFQDNs work` };
}

function dnsProxyCheck(cfg: Readonly<Record<string, string>>): PreflightCheck {
  const keys = Object.keys(cfg)
    .filter((k) => k.startsWith('tofqdns-') || k.startsWith('dnsproxy-'))
    .sort();
  return {
    id: 'dns-proxy',
    status: 'pass',
    title: 'DNS proxy settings (tofqdns-*, dnsproxy-*)',
    detail:
      keys.length === 0
        ? "none set: Cilium's defaults"
        : keys.map((k) => `${k}=${cfg[k]}`).join(', '),
  };
}

function labelsCheck(cfg: Readonly<Record<string, string>>): PreflightCheck {
  const filter = compileIdentityLabelFilter(cfg);
  const title = 'identity-relevant label filter (labels)';
  const origin = filter.origin === 'default' ? "Cilium's default filter (cilium-config sets no labels)" : `cilium-config labels: ${filter.option}${filter.inclusive ? ' (inclusive: only the listed labels are kept)' : ''}`;
  if (filter.problems.length > 0) {
    return {
      id: 'identity-labels',
      status: 'warn',
      title,
      detail: `${origin}; problems: ${filter.problems.join('; ')}`,
      fix: 'correct the labels entries; a selector on a label the filter drops silently matches nothing (`tighten inventory` reports such selectors as label-not-identity-relevant)',
    };
  }
  return { id: 'identity-labels', status: 'pass', title, detail: origin };
}

function cidrMatchModeCheck(value: string | undefined): PreflightCheck {
  const mode = value?.trim() ?? '';
  return {
    id: 'policy-cidr-match-mode',
    status: 'pass',
    title: 'CIDR match mode (policy-cidr-match-mode)',
    detail: mode.split(/[\s,]+/).includes('nodes') ? `${JSON.stringify(mode)}: CIDR rules also match nodes` : `${mode === '' ? 'not set' : JSON.stringify(mode)}: CIDR rules never match pods or nodes (host, remote-node); those need entities`,
  };
}

function hostFirewallCheck(value: string | undefined): PreflightCheck {
  return {
    id: 'host-firewall',
    status: 'pass',
    title: 'host firewall (enable-host-firewall)',
    detail: isTrue(value)
      ? 'on: host policies (CiliumClusterwideNetworkPolicy with nodeSelector) are enforced on the nodes'
      : `${value === undefined ? 'not set' : JSON.stringify(value)}: off — the host endpoint gets no policy; host policies would have no effect`,
  };
}

/** The preflight as the promotion gates need it: passes when no check failed; each failure as `title: detail`. */
export function summarizePreflight(result: PreflightResult): PreflightSummary {
  return { pass: result.ok, failures: result.checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.detail}`) };
}
