/**
 * @module report/preflight — renders a preflight: each check with its status, what was found and what to do.
 * Pure. Exit 1 when any check fails (a failing preflight blocks promote), whatever the format.
 */
import type { PreflightCheck, PreflightResult, PreflightStatus } from '../rollout/preflight.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const PREFLIGHT_FORMATS = ['text', 'json', 'markdown'] as const;
export type PreflightFormat = (typeof PREFLIGHT_FORMATS)[number];

const LABEL: Readonly<Record<PreflightStatus, string>> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

const count = (r: PreflightResult, s: PreflightStatus): number => r.checks.filter((c) => c.status === s).length;

function summaryLine(r: PreflightResult): string {
  const fail = count(r, 'fail');
  const warn = count(r, 'warn');
  const counts = `${count(r, 'pass')} passed, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed`;
  return r.ok ? `${counts}: the cluster can be staged (promote to audit or enforce is not blocked)` : `${counts}: promote to audit or enforce is blocked until the failing checks are fixed`;
}

function versionLine(r: PreflightResult): string {
  if (r.ciliumVersion === undefined) return 'Cilium version unknown';
  const from = r.versionSource === 'option' ? '--cilium-version' : r.versionSource === 'cilium-agent' ? 'the cilium-agent image' : 'cilium-config';
  return `Cilium ${r.ciliumVersion} (from ${from})`;
}

/** Renders the result; the exit code comes from the result only. */
export function renderPreflight(result: PreflightResult, format: PreflightFormat): Rendered {
  const exitCode = result.ok ? EXIT.ok : EXIT.findings;
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(preflightDocument(result), null, 2)}\n`, exitCode };
    case 'markdown':
      return { output: renderMarkdown(result), exitCode };
    case 'text':
      return { output: renderText(result), exitCode };
  }
}

/** The JSON envelope: `{apiVersion, kind: Preflight, ok, ciliumVersion?, versionSource, configFound, summary, checks}`. */
export function preflightDocument(r: PreflightResult) {
  return {
    apiVersion: API_VERSION,
    kind: 'Preflight',
    ok: r.ok,
    ...(r.ciliumVersion !== undefined ? { ciliumVersion: r.ciliumVersion } : {}),
    versionSource: r.versionSource,
    configFound: r.configFound,
    summary: { pass: count(r, 'pass'), warn: count(r, 'warn'), fail: count(r, 'fail') },
    checks: r.checks.map((c: PreflightCheck) => ({ id: c.id, status: c.status, title: c.title, detail: c.detail, ...(c.fix !== undefined ? { fix: c.fix } : {}) })),
  };
}

function renderText(r: PreflightResult): string {
  const lines = [`tighten preflight — ${versionLine(r)}`, ''];
  for (const c of r.checks) {
    lines.push(`${LABEL[c.status]}  ${c.title}`, `      ${c.detail}`);
    if (c.fix !== undefined) lines.push(`      fix: ${c.fix}`);
  }
  lines.push('', summaryLine(r), '');
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(r: PreflightResult): string {
  const lines = [`## tighten preflight — ${versionLine(r)}`, '', `**${summaryLine(r)}**`, '', '| status | check | found | fix |', '|---|---|---|---|'];
  for (const c of r.checks) lines.push(`| ${LABEL[c.status]} | ${cell(c.title)} | ${cell(c.detail)} | ${cell(c.fix ?? '')} |`);
  lines.push('');
  return lines.join('\n');
}
