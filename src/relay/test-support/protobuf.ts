/**
 * @module relay/test-support/protobuf — encodes Hubble's JSON (protojson, as `hubble observe -o json`
 * prints it) to binary protobuf with protobufjs, the independent encoder the decoder is checked
 * against. Two schemas: tighten's own `observer.proto`, and — when the reference protos lie next to
 * the repository — Cilium's own `observer.proto` and `flow.proto`, which also encode the fields
 * tighten's decoder must skip (ethernet, interface, trace context, …).
 *
 * protojson spells some types in ways protobufjs' `fromObject` does not take: Timestamps as RFC 3339
 * strings, wrapper types (BoolValue, Int32Value, …) as bare values. {@link fromProtoJson} turns those
 * into protobufjs objects, walking the schema.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parseTimestamp } from '../../flows/index.js';

export const OWN_PROTO = fileURLToPath(new URL('../observer.proto', import.meta.url));
/** Cilium's protos, beside the repository (not part of it). */
export const REFERENCE_PROTO_DIR = fileURLToPath(new URL('../../../../shared/reference/cilium/proto/', import.meta.url));
export const REFERENCE_PRESENT = existsSync(`${REFERENCE_PROTO_DIR}observer/observer.proto`);

/** A loaded schema with the types the tests encode. */
export interface Schema {
  readonly name: string;
  readonly root: protobuf.Root;
  readonly response: protobuf.Type;
  readonly request: protobuf.Type;
  /** Cilium's exporter record; only in the reference schema. */
  readonly exportEvent: protobuf.Type | undefined;
}

const WRAPPERS = new Set([
  '.google.protobuf.BoolValue',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.StringValue',
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
]);

/** tighten's own `observer.proto`. */
export function loadOwnSchema(): Schema {
  const root = new protobuf.Root();
  root.loadSync(OWN_PROTO, { keepCase: true });
  root.resolveAll();
  return {
    name: 'own observer.proto',
    root,
    response: root.lookupType('observer.GetFlowsResponse'),
    request: root.lookupType('observer.GetFlowsRequest'),
    exportEvent: undefined,
  };
}

/** Cilium's reference protos; call only when {@link REFERENCE_PRESENT}. */
export function loadReferenceSchema(): Schema {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) return target; // protobufjs' bundled common types
    return `${REFERENCE_PROTO_DIR}${target}`;
  };
  root.loadSync('observer/observer.proto', { keepCase: true });
  root.resolveAll();
  return {
    name: 'reference observer.proto + flow.proto',
    root,
    response: root.lookupType('observer.GetFlowsResponse'),
    request: root.lookupType('observer.GetFlowsRequest'),
    exportEvent: root.lookupType('observer.ExportEvent'),
  };
}

/** Encodes one protojson value (a `GetFlowsResponse` line) as the given message type. */
export function encodeJson(type: protobuf.Type, json: unknown): Uint8Array {
  return type.encode(type.fromObject(fromProtoJson(type, json) as Record<string, unknown>)).finish();
}

/** Decodes bytes of `type` back to a plain object (longs as strings, enums as names). */
export function decodeToObject(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: false });
}

/**
 * Converts protojson (proto names or lowerCamelCase JSON names) into the object protobufjs'
 * `fromObject` takes, for message type `type`: Timestamps from RFC 3339 to `{seconds, nanos}`,
 * wrappers from bare values to `{value}`. Keys the schema does not know are dropped, as protojson's
 * `DiscardUnknown` does.
 */
export function fromProtoJson(type: protobuf.Type, json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = type.fields[key] ?? Object.values(type.fields).find((f) => camel(f.name) === key);
    if (field === undefined) continue;
    field.resolve();
    const convert = (v: unknown): unknown => convertValue(field, v);
    out[field.name] = field.repeated && Array.isArray(value) ? value.map(convert) : convert(value);
  }
  return out;
}

function convertValue(field: protobuf.Field, value: unknown): unknown {
  const rt = field.resolvedType;
  if (!(rt instanceof protobuf.Type)) return value;
  const full = rt.fullName;
  if (full === '.google.protobuf.Timestamp' && typeof value === 'string') {
    const t = parseTimestamp(value);
    if (t === undefined) throw new Error(`bad timestamp ${value}`);
    return { seconds: Math.floor(t.ms / 1000), nanos: Number(t.iso.slice(20, 29)) };
  }
  if (WRAPPERS.has(full) && (typeof value !== 'object' || value === null)) return { value };
  return fromProtoJson(rt, value);
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
