/**
 * @module relay/encode-request — a `GetFlowsRequest` as tighten sends it, and its hand-written
 * protobuf encoding (field numbers in `observer.proto` beside this file). Pure: no I/O, no clock.
 */

/**
 * One `FlowFilter`: every field that is set must match (AND), any element of a list may match (OR).
 * Omitted and empty lists do not filter.
 */
export interface FlowFilter {
  /** `namespace/pod-prefix`; `namespace/` selects a whole namespace (Hubble's `--from-namespace`). */
  readonly sourcePod?: readonly string[];
  /** As {@link sourcePod}, for the destination (Hubble's `--to-namespace`). */
  readonly destinationPod?: readonly string[];
  /** Label selectors on the source (`k8s:app=web`), in Kubernetes selector syntax. */
  readonly sourceLabel?: readonly string[];
  readonly destinationLabel?: readonly string[];
  /** Verdict numbers (flow.proto `Verdict`: 1 FORWARDED, 2 DROPPED, …). */
  readonly verdict?: readonly number[];
  /** Node name patterns (`k8s*`, `cluster/node`). */
  readonly nodeName?: readonly string[];
  readonly uuid?: readonly string[];
}

/** A point in time as protobuf's Timestamp holds it. */
export interface ProtoTimestamp {
  readonly seconds: number;
  /** 0 … 999 999 999. */
  readonly nanos: number;
}

/** The `GetFlowsRequest` fields tighten sends. Omitted fields take proto3's zero value. */
export interface FlowsRequest {
  /** The last `number` flows (the earliest with `first`); 0 or omitted: no count limit. */
  readonly number?: number;
  readonly first?: boolean;
  /** Keep streaming new flows. @default false */
  readonly follow?: boolean;
  /** A flow is sent when it matches any of these (every flow when empty). */
  readonly whitelist?: readonly FlowFilter[];
  /** A flow matching any of these is not sent. */
  readonly blacklist?: readonly FlowFilter[];
  /** Flows observed at or after this time. */
  readonly since?: ProtoTimestamp;
  /** Flows observed at or before this time. */
  readonly until?: ProtoTimestamp;
}

/**
 * The whitelist that selects the flows of `namespaces` in either direction, as `hubble observe
 * --namespace a --namespace b` builds it: one filter on the source pod and one on the destination
 * pod, each listing `ns/` for every namespace. Filters of a list are OR'd and the elements of one
 * field are OR'd, so a flow passes when its source or its destination is in any chosen namespace.
 * Empty `namespaces`: no filter (every flow).
 */
export function namespaceFilters(namespaces: readonly string[]): FlowFilter[] {
  if (namespaces.length === 0) return [];
  const prefixes = [...new Set(namespaces)].sort().map((ns) => `${ns}/`);
  return [{ sourcePod: prefixes }, { destinationPod: prefixes }];
}

/** Parses epoch milliseconds into a {@link ProtoTimestamp}. */
export function timestampFromMs(ms: number): ProtoTimestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/**
 * Parses a normalised RFC 3339 time (`…T…​.nnnnnnnnnZ`, as tighten's flows carry it) and its epoch
 * milliseconds into a {@link ProtoTimestamp} that keeps the nanoseconds.
 */
export function timestampFromFlowTime(iso: string, ms: number): ProtoTimestamp {
  const seconds = Math.floor(ms / 1000);
  const frac = /\.(\d{9})Z$/.exec(iso);
  return { seconds, nanos: frac ? Number(frac[1]) : (ms - seconds * 1000) * 1_000_000 };
}

/** Encodes a request as protobuf bytes (fields in field-number order, zero values left out). */
export function encodeFlowsRequest(req: FlowsRequest): Uint8Array {
  const w = new Writer();
  if (req.number !== undefined && req.number > 0) w.varintField(1, req.number);
  if (req.follow === true) w.varintField(3, 1);
  for (const f of req.blacklist ?? []) w.messageField(5, encodeFilter(f));
  for (const f of req.whitelist ?? []) w.messageField(6, encodeFilter(f));
  if (req.since !== undefined) w.messageField(7, encodeTimestamp(req.since));
  if (req.until !== undefined) w.messageField(8, encodeTimestamp(req.until));
  if (req.first === true) w.varintField(9, 1);
  return w.finish();
}

function encodeFilter(f: FlowFilter): Uint8Array {
  const w = new Writer();
  for (const s of f.sourcePod ?? []) w.stringField(2, s);
  for (const s of f.destinationPod ?? []) w.stringField(4, s);
  if (f.verdict !== undefined && f.verdict.length > 0) w.packedField(5, f.verdict);
  for (const s of f.sourceLabel ?? []) w.stringField(10, s);
  for (const s of f.destinationLabel ?? []) w.stringField(11, s);
  for (const s of f.nodeName ?? []) w.stringField(24, s);
  for (const s of f.uuid ?? []) w.stringField(29, s);
  return w.finish();
}

function encodeTimestamp(t: ProtoTimestamp): Uint8Array {
  const w = new Writer();
  if (t.seconds !== 0) w.varintField(1, t.seconds);
  if (t.nanos !== 0) w.varintField(2, t.nanos);
  return w.finish();
}

/** A minimal protobuf writer: varints (negative numbers as 64-bit two's complement), strings, bytes. */
class Writer {
  private readonly parts: number[] = [];

  varintField(field: number, value: number): void {
    this.varint(field * 8);
    this.varint(value);
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }

  messageField(field: number, bytes: Uint8Array): void {
    this.bytesField(field, bytes);
  }

  packedField(field: number, values: readonly number[]): void {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private bytesField(field: number, bytes: Uint8Array): void {
    this.varint(field * 8 + 2);
    this.varint(bytes.length);
    for (const b of bytes) this.parts.push(b);
  }

  private varint(value: number): void {
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }
}
