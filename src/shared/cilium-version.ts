/**
 * @module shared/cilium-version — Cilium versions as users write them (`1.16`, `v1.16.3`, `1.19.0-pre.4`).
 * Semantics change with the version (cilium-semantics.md), so several modules read one; they share this
 * parser and keep their own messages. (The reference evaluator keeps its own on purpose: it shares no
 * code with the fast one.)
 */

/** The newest Cilium whose semantics tighten models; the default wherever no version is given. */
export const NEWEST_CILIUM_VERSION = '1.19';

/** `major.minor`; a patch, a `v` prefix and a pre-release or build suffix are tolerated and ignored. */
export type CiliumVersion = readonly [major: number, minor: number];

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/;

/** Parses a version, or undefined when the text is not one. */
export function parseCiliumVersion(text: string): CiliumVersion | undefined {
  const m = VERSION_RE.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function versionAtLeast(v: CiliumVersion, major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}
