import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkPreflight } from '../rollout/preflight.js';
import { renderPreflight } from './preflight.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/preflight.json', import.meta.url), 'utf8')) as object);

const GOOD = { 'enable-policy': 'default', 'enable-hubble': 'true', 'enable-l7-proxy': 'true' };

describe('renderPreflight', () => {
  it('exit 0 when nothing fails, 1 when a check fails, in every format', () => {
    for (const format of ['text', 'json', 'markdown'] as const) {
      expect(renderPreflight(checkPreflight(GOOD, { ciliumVersion: '1.17' }), format).exitCode).toBe(0);
      expect(renderPreflight(checkPreflight(GOOD), format).exitCode).toBe(0); // a warning does not block
      expect(renderPreflight(checkPreflight({ ...GOOD, 'enable-hubble': 'false' }, { ciliumVersion: '1.17' }), format).exitCode).toBe(1);
    }
  });

  it('json: a Preflight envelope', () => {
    const doc = JSON.parse(renderPreflight(checkPreflight({ ...GOOD, 'enable-policy': 'never' }, { ciliumVersion: '1.17' }), 'json').output);
    expect(doc).toMatchObject({ apiVersion: 'tighten/v1alpha1', kind: 'Preflight', ok: false, ciliumVersion: '1.17', versionSource: 'option', configFound: true, summary: { pass: 9, warn: 0, fail: 1 } });
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'ok', 'ciliumVersion', 'versionSource', 'configFound', 'summary', 'checks']);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const unknown = JSON.parse(renderPreflight(checkPreflight(undefined), 'json').output);
    expect(validate(unknown), JSON.stringify(validate.errors)).toBe(true);
    const failing = doc.checks.find((c: { id: string }) => c.id === 'policy-enforcement');
    expect(Object.keys(failing)).toEqual(['id', 'status', 'title', 'detail', 'fix']);
    expect(Object.keys(doc.checks.find((c: { id: string }) => c.id === 'hubble'))).toEqual(['id', 'status', 'title', 'detail']);
  });

  it('text: one status per check, the fix, and a summary that says whether promote is blocked', () => {
    const out = renderPreflight(checkPreflight({ ...GOOD, 'enable-policy': 'never' }, { ciliumVersion: '1.17' }), 'text').output;
    expect(out).toMatch(/^tighten preflight — Cilium 1\.17 \(from --cilium-version\)\n/);
    expect(out).toContain('FAIL  policy enforcement mode');
    expect(out).toContain('      fix: set Helm policyEnforcementMode: default');
    expect(out).toContain('9 passed, 0 warnings, 1 failed: promote to audit or enforce is blocked');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('markdown: a table, pipes escaped', () => {
    const out = renderPreflight(checkPreflight({ ...GOOD, labels: 'k8s:a|b' }), 'markdown').output;
    expect(out).toContain('| status | check | found | fix |');
    expect(out).toContain('k8s:a\\|b');
    expect(out).toContain('**');
  });
});
