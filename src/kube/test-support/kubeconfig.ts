/**
 * @module kube/test-support/kubeconfig — kubeconfig files for tests: one cluster and user per context,
 * bearer tokens, optional client certificates and CA.
 */
export interface TestContext {
  readonly name: string;
  readonly server: string;
  /** A bearer token; none when omitted. */
  readonly token?: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly ca?: string;
  /** `insecure-skip-tls-verify: true`. @default true without `ca` */
  readonly insecure?: boolean;
  /** PEM client certificate and key, written as `client-certificate-data` / `client-key-data`. */
  readonly clientCert?: string;
  readonly clientKey?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig (YAML) with these contexts; `current` is the current-context. */
export function kubeconfigYaml(contexts: readonly TestContext[], current: string): string {
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${current}`, 'clusters:'];
  for (const c of contexts) {
    lines.push(`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`);
    if (c.ca !== undefined) lines.push(`    certificate-authority-data: ${b64(c.ca)}`);
    if (c.insecure ?? c.ca === undefined) lines.push('    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const c of contexts) {
    lines.push(`- name: ${c.name}-user`, '  user:');
    if (c.token !== undefined) lines.push(`    token: ${c.token}`);
    if (c.token === undefined && c.clientCert === undefined) lines.push('    {}');
    if (c.clientCert !== undefined) lines.push(`    client-certificate-data: ${b64(c.clientCert)}`);
    if (c.clientKey !== undefined) lines.push(`    client-key-data: ${b64(c.clientKey)}`);
  }
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
  return `${lines.join('\n')}\n`;
}
