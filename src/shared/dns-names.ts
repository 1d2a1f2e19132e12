/**
 * @module shared/dns-names — Kubernetes object names (RFC 1123), checked before a name from a cluster becomes a
 * policy name or a file path. A name that passes holds no `/`, no `..` segment, no upper case and no space.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label: at most 63 characters of `a-z`, `0-9` and `-`, starting and ending alphanumeric (namespace names). */
export function isDns1123Label(name: string): boolean {
  return name.length > 0 && name.length <= 63 && LABEL.test(name);
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated labels (most object names, e.g. Deployments). */
export function isDns1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => l.length <= 63 && LABEL.test(l));
}
