/**
 * @module kube/test-support/kubeconfig — kubeconfig files for tests: one cluster and user per context,
 * bearer tokens, optional client certificates and CA.
 */
export interface TestContext {
  readonly name: string;
  readonly server: string;
  readonly token: string;
  /** PEM of the CA that signed the server's certificate; without it, TLS is not verified. */
  readonly ca?: string;
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
    lines.push(c.ca !== undefined ? `    certificate-authority-data: ${b64(c.ca)}` : '    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const c of contexts) {
    lines.push(`- name: ${c.name}-user`, '  user:', `    token: ${c.token}`);
    if (c.clientCert !== undefined) lines.push(`    client-certificate-data: ${b64(c.clientCert)}`);
    if (c.clientKey !== undefined) lines.push(`    client-key-data: ${b64(c.clientKey)}`);
  }
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
  return `${lines.join('\n')}\n`;
}
