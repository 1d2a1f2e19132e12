import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { connection, pod } from '../test-support/hubble.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/simulation.json', import.meta.url), 'utf8')) as object);

const web = pod('shop', 'web-6d5c4b3a2f-aaaaa', '10.0.1.10', { app: 'web', 'pod-template-hash': '6d5c4b3a2f' });
const api = pod('shop', 'api-7f6e5d4c3b-bbbbb', '10.0.1.20', { app: 'api', 'pod-template-hash': '7f6e5d4c3b' });
const FLOWS = [
  ...connection({ time: '2026-11-02T10:00:01Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
  ...connection({ time: '2026-11-02T10:00:02Z', src: web, dst: api, dport: 9090, srcIsPod: true, dstIsPod: true }),
].join('\n');
const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  enableDefaultDeny: { ingress: false }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-simulate-'));
  await writeFile(join(dir, 'flows.jsonl'), `${FLOWS}\n`);
  await writeFile(join(dir, 'api.yaml'), POLICY);
});

async function run(extra: string[]) {
  const io = captureIo();
  const code = await main(['simulate', '--flows', join(dir, 'flows.jsonl'), '--policies', join(dir, 'api.yaml'), '-q', ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten simulate', () => {
  it('an audit-stage policy drops nothing as it is, exit 0', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('nothing observed would be dropped');
  });

  it('as enforced, names the would-drop, its cause and the fix, exit 1', async () => {
    const r = await run(['--as-enforced']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('would drop 1 edges (1 flows)');
    expect(r.out).toMatch(/ingress ← shop\/web \(Deployment\)\s+9090\/TCP\s+1 flows, last seen .*: default deny/);
    expect(r.out).toContain(`fix: add to spec.ingress of CiliumNetworkPolicy shop/api (${join(dir, 'api.yaml')})`);
    expect(r.out).toContain('port: "9090"');
  });

  it('writes JSON that validates against schema/simulation.json, with every edge evaluated', async () => {
    const r = await run(['--as-enforced', '-o', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { edges: { port: number; wouldDrop: boolean; ingress: { decision: string; by: { name: string }[] } }[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.edges.map((e) => [e.port, e.wouldDrop, e.ingress.decision, e.ingress.by.map((b) => b.name)])).toEqual([
      [8080, false, 'allowed', ['api']],
      [9090, true, 'denied-default', []],
    ]);
  });

  it('markdown for a pull request', async () => {
    const r = await run(['--as-enforced', '-o', 'markdown']);
    expect(r.out).toContain('## Namespace `shop`');
    expect(r.out).toContain('```yaml');
  });
});
