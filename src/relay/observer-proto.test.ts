/**
 * tighten's own `observer.proto` is a subset of Cilium's: every message, field and enum value it
 * declares has the reference's number, type and cardinality. Skipped when the reference protos are
 * not beside the repository.
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PRESENT, loadOwnSchema, loadReferenceSchema } from './test-support/protobuf.js';

/** Where each of our messages and enums lives in the reference (Cilium splits them over packages). */
const REFERENCE_PACKAGE: Readonly<Record<string, string>> = {
  GetFlowsRequest: 'observer',
  GetFlowsResponse: 'observer',
  NodeStatusEvent: 'relay',
  NodeState: 'relay',
};

/** Enum values newer than the reference protos (Cilium 1.19), taken from later releases. */
const NEWER_THAN_REFERENCE: ReadonlySet<string> = new Set(['DropReason.DROP_FRAG_NOT_FOUND_WORLD']);

describe.skipIf(!REFERENCE_PRESENT)('observer.proto against the reference protos', () => {
  const own = loadOwnSchema().root;
  const ref = REFERENCE_PRESENT ? loadReferenceSchema().root : undefined;
  const ours = own.lookup('observer') as protobuf.Namespace;
  const nested = Object.values(ours.nested ?? {});
  const refOf = (name: string): protobuf.ReflectionObject => ref!.lookup(`${REFERENCE_PACKAGE[name] ?? 'flow'}.${name}`)!;

  it('declares the Observer service with GetFlows as a server stream', () => {
    const method = (own.lookup('observer.Observer') as protobuf.Service).methods.GetFlows!;
    const refMethod = (ref!.lookup('observer.Observer') as protobuf.Service).methods.GetFlows!;
    expect([method.requestType, method.responseType, method.responseStream === true]).toEqual([refMethod.requestType, refMethod.responseType, true]);
  });

  it.each(nested.filter((n): n is protobuf.Type => n instanceof protobuf.Type).map((t) => [t.name, t] as const))('message %s', (name, type) => {
    const refType = refOf(name) as protobuf.Type;
    expect(refType, `${name} exists in the reference`).toBeInstanceOf(protobuf.Type);
    for (const field of type.fieldsArray) {
      const r = refType.fields[field.name];
      expect(r, `${name}.${field.name} exists in the reference`).toBeDefined();
      const short = (t: string): string => t.split('.').pop()!;
      expect([field.id, short(field.type), field.repeated], `${name}.${field.name}`).toEqual([r!.id, short(r!.type), r!.repeated]);
      expect(field.partOf?.name, `${name}.${field.name} oneof`).toBe(r!.partOf?.name);
    }
  });

  it.each(nested.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum).map((e) => [e.name, e] as const))('enum %s', (name, e) => {
    const refEnum = refOf(name) as protobuf.Enum;
    expect(refEnum).toBeInstanceOf(protobuf.Enum);
    for (const [value, number] of Object.entries(e.values)) {
      if (NEWER_THAN_REFERENCE.has(`${name}.${value}`)) continue;
      expect(refEnum.values[value], `${name}.${value}`).toBe(number);
    }
  });
});
