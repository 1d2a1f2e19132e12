/**
 * @module report/drift — renders `tighten drift`: what the cluster has that the repository does not, what the
 * repository applies that the cluster lacks, what differs, and what is live though not applied; with what to do
 * about each. Exit 1 when anything drifted. Pure.
 */
import { hasDrift, type DriftEntry, type DriftReport } from '../policy/drift.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const DRIFT_FORMATS = ['text', 'json', 'markdown'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

export interface DriftView {
  readonly repo: string;
  readonly report: DriftReport;
}

const name = (e: DriftEntry): string => `${e.kind} ${e.namespace !== undefined ? `${e.namespace}/` : ''}${e.name}`;

const SECTIONS = [
  { key: 'onlyInCluster', title: 'in the cluster, not in the repository', todo: 'hand-applied exceptions: move each into a hand-written file of its namespace folder, or delete it from the cluster' },
  { key: 'onlyInRepository', title: 'applied by the repository, missing from the cluster', todo: 'check that the GitOps controller syncs the repository (and that it applied without errors)' },
  { key: 'differs', title: 'different content', todo: 'someone changed them in the cluster, or the controller has not synced yet: the repository is the truth' },
  { key: 'liveButNotApplied', title: 'live although their namespace is at observe', todo: 'applied by hand or by another tool: delete them from the cluster, or promote the namespace' },
] as const;

export function renderDrift(view: DriftView, format: DriftFormat): Rendered {
  const r = view.report;
  const exitCode = hasDrift(r) ? EXIT.findings : EXIT.ok;
  if (format === 'json') {
    const doc = { apiVersion: API_VERSION, kind: 'Drift', repo: view.repo, drift: hasDrift(r), inSync: r.inSync, proposed: r.proposed, onlyInCluster: r.onlyInCluster, onlyInRepository: r.onlyInRepository, differs: r.differs, liveButNotApplied: r.liveButNotApplied };
    return { output: `${JSON.stringify(doc, null, 2)}\n`, exitCode };
  }
  const md = format === 'markdown';
  const out: string[] = [];
  const summary = `${r.inSync} in sync, ${r.proposed} proposed (not applied), ${r.onlyInCluster.length} only in the cluster, ${r.onlyInRepository.length} only in the repository, ${r.differs.length} differing, ${r.liveButNotApplied.length} live though not applied`;
  out.push(md ? `## tighten drift: ${view.repo}` : `tighten drift — ${view.repo}`, '', hasDrift(r) ? `Drift: ${summary}.` : `No drift: ${summary}.`, '');
  for (const s of SECTIONS) {
    const list = r[s.key];
    if (list.length === 0) continue;
    out.push(md ? `### ${list.length} ${s.title}` : `${list.length} ${s.title} — ${s.todo}:`, ...(md ? ['', `${s.todo}.`, ''] : []));
    for (const e of list) {
      const where = [e.file !== undefined ? `repository ${e.file}` : undefined, e.source !== undefined ? `cluster ${e.source}` : undefined].filter(Boolean).join(', ');
      const fields = e.fields !== undefined ? `; differs in ${e.fields.join(', ')}` : '';
      out.push(md ? `- \`${name(e)}\` (${where}${fields})` : `  ${name(e)}  (${where}${fields})`);
    }
    out.push('');
  }
  return { output: out.join('\n'), exitCode };
}
