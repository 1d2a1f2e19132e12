/**
 * @module understand/identity-labels — Cilium's identity-relevant label filter: which pod labels become
 * part of a security identity, and so can be selected on (pure).
 *
 * Semantics follow Cilium's `pkg/labelsfilter` and the docs page "Limiting Identity-Relevant Labels"
 * (https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/):
 * - the `cilium-config` key `labels` is a space-separated list of `source:pattern` entries, `source:!pattern`
 *   (or `!pattern`, without a source) to exclude; the source part is optional and matches any source when left out (or written `any`);
 * - a pattern is a regular expression anchored at the start of the label key (`app` also matches `app-tier`);
 * - the entries are added to the default list; once any entry is inclusive, only labels an inclusive pattern
 *   matches are kept; a label matched by both kinds is kept when the longest inclusive match is longer than
 *   the shortest exclusive match (so `app.kubernetes.io/…` survives `!kubernetes\.io`-style exclusions);
 * - Cilium reads the text before the first `:` as the source, so `!k8s:foo` is an *inclusive* pattern for a
 *   source named `!k8s`, which matches no label: tighten reports such entries.
 *
 * The default list implemented is the one Cilium's `defaultLabelPrefixCfg` builds (main branch) together
 * with the exclusions the docs table lists in addition (`controller-uid`, `batch.kubernetes.io/controller-uid`):
 * include `reserved:.*`, `io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels`,
 * `app.kubernetes.io`, `io.cilium.k8s.policy.cluster`; exclude `io.kubernetes`, `kubernetes.io`,
 * `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`,
 * `batch.kubernetes.io/job-completion-index`, `batch.kubernetes.io/controller-uid`, `.*beta.kubernetes.io`,
 * `k8s.io`, `pod-template-generation`, `pod-template-hash`, `controller-revision-hash`, `annotation.*`,
 * `controller-uid`, `etcd_node`. A `label-prefix-file` replaces that list with a file tighten cannot see.
 */

/** One compiled entry of the filter. */
interface LabelPattern {
  readonly text: string;
  readonly exclude: boolean;
  /** Empty: any source. */
  readonly source: string;
  readonly re: RegExp;
}

/** The filter of one cluster. */
export interface IdentityLabelFilter {
  /** `default` when `cilium-config` sets no `labels`, else `cilium-config`. */
  readonly origin: 'default' | 'cilium-config';
  /** The `labels` value of `cilium-config`, when set. */
  readonly option?: string;
  /** True once any inclusive entry is configured: only included labels are kept. */
  readonly inclusive: boolean;
  /** Problems with the configured entries (entries Cilium reads differently than intended, bad regexps, a label-prefix file). */
  readonly problems: readonly string[];
  /** True when a label with this key (and source, `k8s` for pod labels) is part of identities. */
  isRelevant(key: string, source?: string): boolean;
}

const DEFAULT_ENTRIES = [
  'reserved:.*',
  'io\\.kubernetes\\.pod\\.namespace',
  'io\\.cilium\\.k8s\\.namespace\\.labels',
  'app\\.kubernetes\\.io',
  'io\\.cilium\\.k8s\\.policy\\.cluster',
  '!io\\.kubernetes',
  '!kubernetes\\.io',
  '!statefulset\\.kubernetes\\.io/pod-name',
  '!apps\\.kubernetes\\.io/pod-index',
  '!batch\\.kubernetes\\.io/job-completion-index',
  '!batch\\.kubernetes\\.io/controller-uid',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!annotation.*',
  '!controller-uid',
  '!etcd_node',
] as const;

/** Parses one entry as Cilium's `parseLabelPrefix` does. */
function parseEntry(text: string): LabelPattern | string {
  const colon = text.indexOf(':');
  const source = colon >= 0 ? text.slice(0, colon) : '';
  let pattern = colon >= 0 ? text.slice(colon + 1) : text;
  if (pattern === '') return `entry "${text}" has an empty pattern; Cilium refuses it`;
  const exclude = pattern.startsWith('!');
  if (exclude) pattern = pattern.slice(1);
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return `entry "${text}" is not a valid regular expression; Cilium refuses it`;
  }
  return { text, exclude, source: source === 'any' ? '' : source, re };
}

/** Length of the match of `p` at the start of the key, or -1 (Cilium: the leftmost match must start at 0). */
function matchLength(p: LabelPattern, key: string, source: string): number {
  if (p.source !== '' && p.source !== source) return -1;
  const m = p.re.exec(key);
  return m !== null && m.index === 0 ? m[0].length : -1;
}

/**
 * Compiles the filter from the `cilium-config` ConfigMap's data (`labels`, `label-prefix-file`); the
 * default filter when it is absent or sets neither.
 */
export function compileIdentityLabelFilter(ciliumConfig?: Readonly<Record<string, string>>): IdentityLabelFilter {
  const patterns: LabelPattern[] = DEFAULT_ENTRIES.map((e) => parseEntry(e) as LabelPattern);
  const problems: string[] = [];
  const file = ciliumConfig?.['label-prefix-file'];
  if (file !== undefined && file.trim() !== '') {
    problems.push(`cilium-config sets label-prefix-file ${file}, which replaces Cilium's default label list; tighten cannot read it and assumes the default list`);
  }
  const option = ciliumConfig?.labels?.trim();
  let inclusive = false;
  for (const text of (option ?? '').split(/\s+/).filter((s) => s !== '')) {
    const p = parseEntry(text);
    if (typeof p === 'string') {
      problems.push(p);
      continue;
    }
    if (p.source.startsWith('!')) {
      problems.push(
        `entry "${text}" puts "!" before the source: Cilium reads it as an inclusive pattern for a source named "${p.source}", which matches no label and switches every other label off; write "${p.source.slice(1)}:!${text.slice(text.indexOf(':') + 1)}"`,
      );
    }
    if (!p.exclude) inclusive = true;
    patterns.push(p);
  }
  return {
    origin: option !== undefined && option !== '' ? 'cilium-config' : 'default',
    ...(option !== undefined && option !== '' ? { option } : {}),
    inclusive,
    problems,
    isRelevant(key: string, source = 'k8s'): boolean {
      let included = 0;
      let ignored = 0;
      for (const p of patterns) {
        const len = matchLength(p, key, source);
        if (len < 0) continue;
        if (p.exclude) {
          if (ignored === 0 || len < ignored) ignored = len;
        } else if (len > included) included = len;
      }
      return (!inclusive && ignored === 0) || included > ignored;
    },
  };
}
