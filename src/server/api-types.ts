/**
 * @module server/api-types — the shapes the dashboard's HTTP API returns, shared by the server and `web/` (which
 * imports them as types only). Self-contained on purpose: no imports, so the browser build pulls in nothing of
 * the core.
 */

/** How an observed edge fares under the repository's policies, evaluated as if enforced. */
export const EDGE_STATUSES = ['allowed', 'would-drop', 'dropped', 'not-covered'] as const;
export type EdgeStatus = (typeof EDGE_STATUSES)[number];

/**
 * What a map node stands for: a workload by its class (application, platform, batch, debug), an external
 * destination (keyed by its first DNS name, else its address), an entity (world, host …) or a CIDR.
 */
export const NODE_CLASSES = ['application', 'platform', 'batch', 'debug', 'external', 'entity', 'cidr'] as const;
export type NodeClass = (typeof NODE_CLASSES)[number];

/** The group of everything outside the cluster's namespaces (externals, entities, CIDRs). */
export const OUTSIDE_GROUP = '(outside)';

export interface MapNode {
  /** `ns/name` for a workload, `fqdn:NAME`, `ip:ADDR`, `entity:NAME` or `cidr:PREFIX` otherwise. */
  readonly id: string;
  readonly label: string;
  readonly class: NodeClass;
  /** The namespace, or {@link OUTSIDE_GROUP}. */
  readonly group: string;
  /** Workload kind (Deployment, CronJob …); absent for non-workloads. */
  readonly kind?: string;
  /** Platform role (dns, metrics …), for platform workloads. */
  readonly role?: string;
  /** Every address of an external destination, sorted; absent otherwise. */
  readonly addresses?: readonly string[];
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Layout position (map units), computed once on the server. */
  readonly x: number;
  readonly y: number;
}

export interface MapEdge {
  /** The index of the edge in the simulation (`/api/simulation`'s `edges`), stable for one data load. */
  readonly id: number;
  readonly source: string;
  readonly target: string;
  readonly port: number;
  readonly protocol: string;
  /** The verdict Hubble observed. */
  readonly verdict: string;
  readonly status: EdgeStatus;
  readonly flows: number;
  readonly lastSeen: string;
}

/** A namespace's (or the outside's) box on the map. */
export interface MapGroup {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly nodes: number;
}

export interface MapDocument {
  readonly apiVersion: string;
  readonly kind: 'ServiceMap';
  readonly groups: readonly MapGroup[];
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
  readonly totals: Readonly<Record<EdgeStatus, number>>;
}

/** One would-be drop (or observed drop) with the rule that would allow it. */
export interface DropItem {
  /** The map edge's id. */
  readonly edge: number;
  readonly status: 'would-drop' | 'dropped';
  /** The direction whose policy drops it; absent for observed drops the policies do not explain. */
  readonly direction?: 'ingress' | 'egress';
  /** The namespace whose policy drops it, or `(cluster-wide)`. */
  readonly namespace: string;
  readonly source: string;
  readonly target: string;
  readonly sourceLabel: string;
  readonly targetLabel: string;
  readonly port: string;
  readonly flows: number;
  readonly lastSeen: string;
  /** Why, in words: default deny, or the deny rules. */
  readonly why: string;
  readonly dropReasons?: readonly string[];
  readonly suggestion?: { readonly where: string; readonly yaml?: string; readonly blocked?: string };
}

export interface DropsDocument {
  readonly apiVersion: string;
  readonly kind: 'DropList';
  readonly items: readonly DropItem[];
}

export interface StagePosition {
  readonly ingress: string;
  readonly egress: string;
}

/** One namespace of the rollout board. */
export interface BoardNamespace {
  readonly namespace: string;
  readonly team?: string;
  readonly position: StagePosition;
  /** pass / blocked for its next step; done when enforcing both ways. */
  readonly status: 'pass' | 'blocked' | 'done';
  readonly wave?: number;
  readonly next?: { readonly to: string; readonly direction: string; readonly command: string };
  readonly risk?: { readonly rank: number; readonly score: number; readonly why: string };
  /** What blocks the next step (the failing checks and what unblocks them). */
  readonly blockers: readonly string[];
  readonly wouldDrops: number;
}

export interface BoardDocument {
  readonly apiVersion: string;
  readonly kind: 'RolloutBoard';
  readonly at: string;
  readonly preflight: { readonly ok: boolean; readonly failures: readonly string[] };
  readonly namespaces: readonly BoardNamespace[];
  readonly waves: readonly { readonly number: number; readonly ready: number; readonly blocked: number; readonly teams: readonly { readonly team?: string; readonly namespaces: readonly string[] }[] }[];
}

export interface HygieneDocument {
  readonly apiVersion: string;
  readonly kind: 'Hygiene';
  readonly findings: readonly { readonly severity: string; readonly code: string; readonly subject: string; readonly namespace?: string; readonly message: string }[];
  readonly workloads: readonly { readonly namespace: string; readonly kind: string; readonly name: string; readonly class?: string; readonly firstSeen?: string; readonly lastSeen?: string }[];
  readonly cronJobsNotSeen: readonly { readonly namespace: string; readonly name: string }[];
}

export interface PolicyFile {
  readonly path: string;
  readonly text: string;
}

export interface PoliciesDocument {
  readonly apiVersion: string;
  readonly kind: 'NamespacePolicies';
  readonly namespace: string;
  readonly position?: StagePosition;
  readonly files: readonly PolicyFile[];
  /** The next promotion, previewed without writing; absent when enforcing both ways or not in the rollout. */
  readonly next?: {
    readonly title: string;
    readonly gate: { readonly pass: boolean; readonly reasons: readonly string[] };
    /** The unified diff of every file the promotion changes. */
    readonly diff: string;
    readonly files: readonly { readonly path: string; readonly action: string }[];
    /** The connectivity delta, rendered as `tighten diff` prints it. */
    readonly connectivity: string;
    readonly connectivityTotals?: Readonly<Record<string, number>>;
  };
  /** Why there is no preview. */
  readonly note?: string;
}

export interface SessionDocument {
  readonly apiVersion: string;
  readonly kind: 'Session';
  /** A token is configured: promote and rollback are offered. */
  readonly writable: boolean;
  readonly window: { readonly since?: string; readonly until?: string; readonly now?: string };
  readonly namespaces: readonly string[];
  readonly counts: { readonly workloads: number; readonly edges: number; readonly findings: number; readonly wouldDrops: number };
  /** When the data was read (a count of loads, so the page can tell it changed). */
  readonly generation: number;
}

/** The body of `POST /api/promote` and `POST /api/rollback`. */
export interface StageChangeRequest {
  readonly namespaces: readonly string[];
  readonly to?: string;
  readonly direction?: 'ingress' | 'egress' | 'both';
  readonly approve?: boolean;
  readonly force?: boolean;
  readonly reason?: string;
}
