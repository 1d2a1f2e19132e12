import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError, PolicyError } from '../../shared/errors.js';
import { readPolicies, readPolicyFiles } from './read.js';

const ccnp = (name: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  endpointSelector: {}\n  egress:\n  - {}\n`;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tighten-policies-'));
  await mkdir(join(tmp, 'repo', 'b-dir'), { recursive: true });
  await mkdir(join(tmp, 'repo', '.git'), { recursive: true });
  await writeFile(join(tmp, 'repo', 'c.yaml'), ccnp('c'));
  await writeFile(join(tmp, 'repo', 'a.yml'), `${ccnp('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n`);
  await writeFile(join(tmp, 'repo', 'b-dir', 'b.json'), JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'b' }, spec: { endpointSelector: {}, ingress: [{}] } }));
  await writeFile(join(tmp, 'repo', 'README.md'), '# not a policy\n');
  await writeFile(join(tmp, 'repo', '.hidden.yaml'), ccnp('hidden'));
  await writeFile(join(tmp, 'repo', '.git', 'x.yaml'), ccnp('in-git'));
  await writeFile(join(tmp, 'policy.txt'), `\uFEFF${ccnp('txt')}`);
  await writeFile(join(tmp, 'dup.yaml'), ccnp('c'));
  await writeFile(join(tmp, 'bad.yaml'), ccnp('bad').replace('egress:', 'egres:'));
  await symlink(join(tmp, 'repo'), join(tmp, 'repo', 'b-dir', 'loop'));
  await symlink(join(tmp, 'repo', 'c.yaml'), join(tmp, 'repo', 'd-link.yaml'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('readPolicies', () => {
  test('walks directories recursively in name order, reading .yaml/.yml/.json, skipping hidden entries, links to files read already and symlink loops', async () => {
    const r = await readPolicyFiles([join(tmp, 'repo')]);
    expect(r.files).toEqual([join(tmp, 'repo', 'a.yml'), join(tmp, 'repo', 'b-dir', 'b.json'), join(tmp, 'repo', 'c.yaml')]);
    expect(r.policies.map((p) => p.policy.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(r.policies[1]!.source).toEqual({ file: join(tmp, 'repo', 'b-dir', 'b.json'), document: 1 });
    expect(r.skipped).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', document: 2, file: join(tmp, 'repo', 'a.yml') }]);
  });

  test('reads a file given by name whatever its extension (and drops a byte-order mark); a file given twice is read once', async () => {
    const file = join(tmp, 'policy.txt');
    const ps = await readPolicies([file, file]);
    expect(ps.map((p) => p.policy.metadata.name)).toEqual(['txt']);
  });

  test('the same policy in two files is an error', async () => {
    await expect(readPolicies([join(tmp, 'repo'), join(tmp, 'dup.yaml')])).rejects.toThrow(
      `CiliumClusterwideNetworkPolicy c is defined twice: in ${join(tmp, 'repo', 'c.yaml')} document 1 and in ${join(tmp, 'dup.yaml')} document 1; the second would replace the first when applied`,
    );
  });

  test('an invalid policy is a PolicyError naming the file', async () => {
    const e = await readPolicies([join(tmp, 'bad.yaml')]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).message).toBe(`${join(tmp, 'bad.yaml')}:7: document 1 (CiliumClusterwideNetworkPolicy bad): spec.egres: unknown field; did you mean "egress"?`);
  });

  test('a missing path is an InputError', async () => {
    const missing = join(tmp, 'nope');
    const e = await readPolicies([missing]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe(`${missing}: no such file or directory`);
  });

  test('no paths give no policies', async () => {
    expect(await readPolicies([])).toEqual([]);
  });
});
