/**
 * @module policy/evaluate/fast/evaluator — the compiled repository resolved lazily the way Cilium's
 * agent does it: per identity (distinct label set; world and unmanaged endpoints also by address and
 * names, as Cilium allocates CIDR/FQDN identities) the selecting rules and the per-direction policy
 * (`computePolicyEnforcementAndRules`), per (subject, peer) identity pair the entries whose L3 part
 * selects the peer (the map state's identity dimension), per (pair, protocol, port) the verdict.
 *
 * Everything is memoised: a repeated connection costs two identity lookups and one map lookup. Only
 * named ports depend on more than identities (the destination's ports): those pairs cache per
 * named-ports object.
 */
import { CONNECTION_PROTOCOLS, type Connection, type DirectionVerdict, type Endpoint, type Evaluator, type PortSegments, type RuleRef, type Verdict } from '../types.js';
import { cidrMatches, cidrMatchesWorldWithoutIp, parseIp, type IpWords } from './cidr.js';
import { IdentityLabels } from './labels.js';
import type { ResolvedOptions } from './options.js';
import { addPortBoundaries, matchPorts, PROTO_BIT, type PortHit } from './ports.js';
import type { CompiledEntry, CompiledL3, CompiledRepository, CompiledRule, Direction, PeerSpec } from './rules.js';
import { selectorMatches, type CompiledSelector } from './selector.js';

const NOT_ISOLATED: DirectionVerdict = Object.freeze({ decision: 'not-isolated', by: Object.freeze([]) });
const DENIED_DEFAULT: DirectionVerdict = Object.freeze({ decision: 'denied-default', by: Object.freeze([]) });
/** Host → local endpoint ingress: the agent's `allow-localhost` (b.7), no rule behind it. */
const ALLOWED_LOCALHOST: DirectionVerdict = Object.freeze({ decision: 'allowed', by: Object.freeze([]) });

/** A subject's resolved policy in one direction. */
interface SubjectPolicy {
  /** Policy-enabled (some selecting rule has the direction, mode always, or reserved:init). */
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  readonly allows: readonly CompiledEntry[];
  readonly denies: readonly CompiledEntry[];
  /** `fromRequires`/`toRequires` of the selecting rules, ANDed into their endpoint peers. */
  readonly requirements: readonly CompiledSelector[];
  /** Ingress of a non-host endpoint: traffic from the host identity is always allowed. */
  readonly localhost: boolean;
  /** Default-allow direction, 1.18+: an L7 allow-all joins every L7 port, so the proxy lets all through. */
  readonly l7Wildcard: boolean;
}

const NOT_ENFORCED: SubjectPolicy = {
  enforced: false,
  defaultDeny: false,
  allows: [],
  denies: [],
  requirements: [],
  localhost: false,
  l7Wildcard: false,
};

/** One direction of a (subject, peer) identity pair: the entries whose L3 part selects the peer. */
interface PairDirection {
  /** The decision when it depends on no port (no entry selects the peer). */
  readonly fixed: DirectionVerdict | undefined;
  readonly allows: readonly CompiledEntry[];
  readonly denies: readonly CompiledEntry[];
  readonly defaultDeny: boolean;
  readonly localhost: boolean;
  readonly l7Wildcard: boolean;
}

const fixedPair = (fixed: DirectionVerdict): PairDirection => ({ fixed, allows: [], denies: [], defaultDeny: false, localhost: false, l7Wildcard: false });
/** The pair directions in which no entry selects the peer: shared, as most pairs are like that. */
const NOT_ENFORCED_PAIR = fixedPair(NOT_ISOLATED);
const DENIED_DEFAULT_PAIR = fixedPair(DENIED_DEFAULT);
const LOCALHOST_PAIR = fixedPair(ALLOWED_LOCALHOST);

interface Pair {
  readonly egress: PairDirection;
  readonly ingress: PairDirection;
  /** Some entry names a port: verdicts also depend on the destination's named ports. */
  readonly namedPorts: boolean;
  /** Verdicts of a named-port pair, per named-ports object of the destination. */
  byNamedPorts: WeakMap<object, Map<number, Verdict>> | undefined;
}

/** Cached verdicts per source identity are capped (beyond, pairs decide without caching). */
const VERDICT_CACHE_LIMIT = 1 << 18;
const NO_NAMED_PORTS = {};
const NO_REQUIREMENTS: readonly CompiledSelector[] = [];
const ZERO: readonly number[] = Object.freeze([0]);

/**
 * A distinct label set — the unit Cilium resolves policy for — or, for world and unmanaged
 * endpoints, a label set plus address and DNS names (Cilium gives each CIDR/FQDN its own identity).
 */
class Identity {
  readonly id: number;
  readonly labels: IdentityLabels;
  /** Per selector id: 0 unknown, 1 matches, 2 does not (shared by the address identities of a label set). */
  readonly selectorHits: Int8Array;
  /** Per L3 part id: 0 unknown, 1 matches, 2 does not. */
  readonly l3Hits: Int8Array;
  /** The address, for CIDR peers: undefined when none was given, null when unparsable. */
  readonly ip: IpWords | null | undefined;
  readonly names: readonly string[] | undefined;
  /** Verdicts of connections from this identity, by `(destination id * 32 + protocol bit) * 65536 + port`. */
  readonly verdicts = new Map<number, Verdict>();
  readonly pairs = new Map<number, Pair>();
  /** Address identities of this label set, by address and names. */
  addresses: Map<string, Identity> | undefined;
  rules: readonly CompiledRule[] | undefined;
  ingress: SubjectPolicy | undefined;
  egress: SubjectPolicy | undefined;

  constructor(
    id: number,
    labels: IdentityLabels,
    selectorHits: Int8Array,
    l3Count: number,
    ip: IpWords | null | undefined,
    names: readonly string[] | undefined,
  ) {
    this.id = id;
    this.labels = labels;
    this.selectorHits = selectorHits;
    this.l3Hits = new Int8Array(l3Count);
    this.ip = ip;
    this.names = names;
  }

  matches(sel: CompiledSelector): boolean {
    const hit = this.selectorHits[sel.id];
    if (hit === 1) return true;
    if (hit === 2) return false;
    const m = selectorMatches(sel, this.labels);
    this.selectorHits[sel.id] = m ? 1 : 2;
    return m;
  }
}

function freezeVerdict(egress: DirectionVerdict, ingress: DirectionVerdict): Verdict {
  const ok = (d: DirectionVerdict): boolean => d.decision === 'allowed' || d.decision === 'not-isolated';
  return Object.freeze({ egress, ingress, allowed: ok(egress) && ok(ingress) });
}

/** The {@link Evaluator} over a compiled repository. */
export class CompiledEvaluator implements Evaluator {
  private readonly repo: CompiledRepository;
  private readonly options: ResolvedOptions;
  private readonly clusterwide: readonly CompiledRule[];
  private readonly hostRules: readonly CompiledRule[];
  private readonly byNamespace = new Map<string, CompiledRule[]>();
  private readonly byLabelsArray = new WeakMap<readonly string[], Identity>();
  private readonly byEndpoint = new WeakMap<Endpoint, Identity>();
  private readonly byJoined = new Map<string, Identity>();
  private readonly byCanonical = new Map<string, Identity>();
  private identityCount = 0;

  constructor(repo: CompiledRepository, options: ResolvedOptions) {
    this.repo = repo;
    this.options = options;
    const clusterwide: CompiledRule[] = [];
    const hostRules: CompiledRule[] = [];
    for (const r of repo.rules) {
      if (r.host) hostRules.push(r);
      else if (r.namespace === undefined) clusterwide.push(r);
      else {
        let list = this.byNamespace.get(r.namespace);
        if (list === undefined) this.byNamespace.set(r.namespace, (list = []));
        list.push(r);
      }
    }
    this.clusterwide = clusterwide;
    this.hostRules = hostRules;
  }

  evaluate(connection: Connection): Verdict {
    const src = this.identityOf(connection.source);
    const dst = this.identityOf(connection.destination);
    const protoBit = PROTO_BIT[connection.protocol] ?? 0;
    const port = connection.port;
    // A known protocol and a valid port (an integer 0–65535): the verdict is cached under one number.
    if (protoBit !== 0 && (port & 0xffff) === port) {
      const key = (dst.id * 32 + protoBit) * 65536 + port;
      const v = src.verdicts.get(key);
      if (v !== undefined) return v;
      return this.resolve(src, dst, connection, protoBit, key);
    }
    return this.resolve(src, dst, connection, protoBit, -1);
  }

  /**
   * The port intervals on which the pair's verdicts are constant: the boundaries of every port item of
   * the entries whose L3 part selects the peer, in either direction. A pair direction decided without
   * ports (no entry selects the peer, or only L3-only ones) adds none.
   */
  portSegments(source: Endpoint, destination: Endpoint): PortSegments {
    const pair = this.pairOf(this.identityOf(source), this.identityOf(destination));
    const bounds = new Map<number, Set<number>>();
    const add = (bit: number, port: number): void => {
      let set = bounds.get(bit);
      if (set === undefined) bounds.set(bit, (set = new Set([0])));
      set.add(port);
    };
    for (const d of [pair.egress, pair.ingress]) {
      if (d.fixed !== undefined) continue;
      for (const e of d.allows) if (e.ports !== null) addPortBoundaries(e.ports, destination.namedPorts, add);
      for (const e of d.denies) if (e.ports !== null) addPortBoundaries(e.ports, destination.namedPorts, add);
    }
    const starts = {} as Record<(typeof CONNECTION_PROTOCOLS)[number], readonly number[]>;
    for (const p of CONNECTION_PROTOCOLS) {
      const set = bounds.get(PROTO_BIT[p]);
      starts[p] = set === undefined ? ZERO : [...set].sort((a, b) => a - b);
    }
    return { constant: bounds.size === 0, starts };
  }

  private pairOf(src: Identity, dst: Identity): Pair {
    let pair = src.pairs.get(dst.id);
    if (pair === undefined) {
      pair = this.resolvePair(src, dst);
      src.pairs.set(dst.id, pair);
    }
    return pair;
  }

  private resolve(src: Identity, dst: Identity, c: Connection, protoBit: number, key: number): Verdict {
    const pair = this.pairOf(src, dst);
    // An invalid port (not an integer 0–65535) matches no port rule, only L3-only elements.
    if (key < 0) return this.decide(pair, c, protoBit, (c.port & 0xffff) === c.port ? c.port : -1);
    if (pair.namedPorts) {
      const byNamed = (pair.byNamedPorts ??= new WeakMap());
      const np = c.destination.namedPorts ?? NO_NAMED_PORTS;
      let cache = byNamed.get(np);
      if (cache === undefined) byNamed.set(np, (cache = new Map()));
      const portKey = protoBit * 65536 + c.port;
      let v = cache.get(portKey);
      if (v === undefined) cache.set(portKey, (v = this.decide(pair, c, protoBit, c.port)));
      return v;
    }
    const v = this.decide(pair, c, protoBit, c.port);
    if (src.verdicts.size < VERDICT_CACHE_LIMIT) src.verdicts.set(key, v);
    return v;
  }

  /** The identity of an endpoint: its label set, plus address and names for world/unmanaged ones. */
  private identityOf(ep: Endpoint): Identity {
    const labels = ep.labels;
    let base = this.byLabelsArray.get(labels);
    if (base === undefined) {
      base = this.internLabels(labels);
      this.byLabelsArray.set(labels, base);
    }
    if (!base.labels.cidrMatchable || (ep.ip === undefined && ep.names === undefined)) return base;
    let id = this.byEndpoint.get(ep);
    if (id === undefined || id.labels !== base.labels) {
      id = this.addressIdentity(base, ep);
      this.byEndpoint.set(ep, id);
    }
    return id;
  }

  private internLabels(labels: readonly string[]): Identity {
    const joined = labels.join('\n');
    let id = this.byJoined.get(joined);
    if (id === undefined) {
      const canonical = [...new Set(labels)].sort().join('\n');
      id = this.byCanonical.get(canonical);
      if (id === undefined) {
        const l = new IdentityLabels(labels, this.options.clusterName);
        id = new Identity(this.identityCount++, l, new Int8Array(this.repo.selectors.size), this.repo.l3Count, undefined, undefined);
        this.byCanonical.set(canonical, id);
      }
      this.byJoined.set(joined, id);
    }
    return id;
  }

  private addressIdentity(base: Identity, ep: Endpoint): Identity {
    const key = `${ep.ip ?? ''}\n${(ep.names ?? []).join('\n')}`;
    const addresses = (base.addresses ??= new Map());
    let id = addresses.get(key);
    if (id === undefined) {
      const ip = ep.ip === undefined ? undefined : (parseIp(ep.ip) ?? null);
      id = new Identity(this.identityCount++, base.labels, base.selectorHits, this.repo.l3Count, ip, ep.names);
      addresses.set(key, id);
    }
    return id;
  }

  /** The rules whose subject selects the identity, in input order (a.6). */
  private selectingRules(id: Identity): readonly CompiledRule[] {
    if (id.rules !== undefined) return id.rules;
    const out: CompiledRule[] = [];
    if (id.labels.isHost) {
      for (const r of this.hostRules) if (id.matches(r.subject)) out.push(r);
    } else {
      for (const r of this.clusterwide) if (id.matches(r.subject)) out.push(r);
      const ns = id.labels.namespace;
      const local = ns === undefined ? undefined : this.byNamespace.get(ns);
      if (local !== undefined) for (const r of local) if (id.matches(r.subject)) out.push(r);
      out.sort((a, b) => a.order - b.order);
    }
    id.rules = out;
    return out;
  }

  /** `computePolicyEnforcementAndRules` for one direction (b.1–b.3). */
  private subjectPolicy(id: Identity, dir: Direction): SubjectPolicy {
    const known = id[dir];
    if (known !== undefined) return known;
    const o = this.options;
    const l = id.labels;
    let policy = NOT_ENFORCED;
    if (l.isSubject && o.mode !== 'never' && !(l.isHost && !o.hostFirewall)) {
      let enforced = false;
      let defaultDeny = false;
      const allows: CompiledEntry[] = [];
      const denies: CompiledEntry[] = [];
      const requirements: CompiledSelector[] = [];
      for (const r of this.selectingRules(id)) {
        if (r.enables[dir]) {
          enforced = true;
          if (r.defaultDeny[dir]) defaultDeny = true;
        }
        allows.push(...r.allows[dir]);
        denies.push(...r.denies[dir]);
        requirements.push(...r.requires[dir]);
      }
      // Mode always and reserved:init: enforced with default deny, no wildcard synthesized.
      if (o.mode === 'always' || l.isInit) enforced = defaultDeny = true;
      if (enforced) {
        policy = {
          enforced,
          defaultDeny,
          allows,
          denies,
          requirements,
          localhost: dir === 'ingress' && !l.isHost,
          l7Wildcard: !defaultDeny && o.l7WildcardInDefaultAllow,
        };
      }
    }
    id[dir] = policy;
    return policy;
  }

  /** Whether an L3 part selects the peer identity (memoised per identity unless requirements narrow it). */
  private l3Matches(l3: CompiledL3, peer: Identity, requirements: readonly CompiledSelector[]): boolean {
    if (l3.peers === null) return true;
    if (requirements.length > 0 && l3.requirable) return computeL3(l3.peers, peer, requirements);
    const hit = peer.l3Hits[l3.id];
    if (hit === 1) return true;
    if (hit === 2) return false;
    const m = computeL3(l3.peers, peer, NO_REQUIREMENTS);
    peer.l3Hits[l3.id] = m ? 1 : 2;
    return m;
  }

  private pairDirection(subject: Identity, peer: Identity, dir: Direction): PairDirection {
    const sp = this.subjectPolicy(subject, dir);
    if (!sp.enforced) return NOT_ENFORCED_PAIR;
    let allows: CompiledEntry[] | undefined;
    let denies: CompiledEntry[] | undefined;
    for (const e of sp.allows) if (this.l3Matches(e.l3, peer, sp.requirements)) (allows ??= []).push(e);
    for (const e of sp.denies) if (this.l3Matches(e.l3, peer, sp.requirements)) (denies ??= []).push(e);
    const localhost = sp.localhost && peer.labels.isHost;
    if (allows === undefined && denies === undefined) return localhost ? LOCALHOST_PAIR : sp.defaultDeny ? DENIED_DEFAULT_PAIR : NOT_ENFORCED_PAIR;
    return { fixed: undefined, allows: allows ?? [], denies: denies ?? [], defaultDeny: sp.defaultDeny, localhost, l7Wildcard: sp.l7Wildcard };
  }

  private resolvePair(src: Identity, dst: Identity): Pair {
    const egress = this.pairDirection(src, dst, 'egress');
    const ingress = this.pairDirection(dst, src, 'ingress');
    return { egress, ingress, namedPorts: hasNamedPorts(egress) || hasNamedPorts(ingress), byNamedPorts: undefined };
  }

  private decide(pair: Pair, c: Connection, protoBit: number, port: number): Verdict {
    const named = c.destination.namedPorts;
    const egress = pair.egress.fixed ?? decideDirection(pair.egress, protoBit, port, named);
    const ingress = pair.ingress.fixed ?? decideDirection(pair.ingress, protoBit, port, named);
    return freezeVerdict(egress, ingress);
  }
}

function hasNamedPorts(d: PairDirection): boolean {
  return d.allows.some((e) => e.namedPorts) || d.denies.some((e) => e.namedPorts);
}

/** Whether any alternative of an L3 part selects the peer (c.2–c.4, a.5). */
function computeL3(peers: readonly PeerSpec[], peer: Identity, requirements: readonly CompiledSelector[]): boolean {
  const l = peer.labels;
  for (const p of peers) {
    switch (p.kind) {
      case 'selector':
        if (peer.matches(p.selector) && (!p.requirable || requirements.every((r) => peer.matches(r)))) return true;
        break;
      case 'entity':
        if ((l.entities & p.mask) !== 0) return true;
        break;
      case 'node':
        if (l.isNode && peer.matches(p.selector)) return true;
        break;
      case 'cidr':
        if (!l.cidrMatchable) break;
        if (peer.ip === undefined ? cidrMatchesWorldWithoutIp(p.cidr, l.worldKinds) : peer.ip !== null && cidrMatches(p.cidr, peer.ip)) return true;
        break;
      case 'fqdn':
        if (l.fqdnMatchable && p.fqdn.matchesAny(peer.names)) return true;
        break;
    }
  }
  return false;
}

/** Deny beats allow per (peer, port/proto); then any allow; then default deny or not isolated (b.3, b.4). */
function decideDirection(pd: PairDirection, protoBit: number, port: number, named: Endpoint['namedPorts']): DirectionVerdict {
  const hit: PortHit = { plain: Infinity, l7: Infinity };
  let denied: RuleRef[] | undefined;
  for (const e of pd.denies) {
    if (e.ports !== null && !matchPorts(e.ports, protoBit, port, named, hit)) continue;
    if (denied === undefined) denied = [e.ref];
    else if (!denied.includes(e.ref)) denied.push(e.ref);
  }
  if (denied !== undefined) return Object.freeze({ decision: 'denied-rule', by: Object.freeze(denied) });
  hit.plain = hit.l7 = Infinity;
  let allowed: RuleRef[] | undefined;
  for (const e of pd.allows) {
    // An L3-only element is a plain allow of width Infinity: it changes no width.
    if (e.ports !== null && !matchPorts(e.ports, protoBit, port, named, hit)) continue;
    if (allowed === undefined) allowed = [e.ref];
    else if (!allowed.includes(e.ref)) allowed.push(e.ref);
  }
  if (allowed !== undefined) {
    const verdict: { decision: 'allowed'; by: readonly RuleRef[]; needsL7Check?: boolean } = { decision: 'allowed', by: Object.freeze(allowed) };
    if (hit.l7 < hit.plain && !pd.l7Wildcard) verdict.needsL7Check = true;
    return Object.freeze(verdict);
  }
  if (pd.localhost) return ALLOWED_LOCALHOST;
  return pd.defaultDeny ? DENIED_DEFAULT : NOT_ISOLATED;
}
