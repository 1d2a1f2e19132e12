/**
 * @module policy/model/test-support/crd-validator — validates CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy objects against the `openAPIV3Schema` of the cilium.io/v2 CRDs in
 * `../shared/reference/cilium/` with ajv, as the API server would (for tests; undefined when the reference is absent).
 *
 * The CRD is written for Kubernetes, so two things are adapted: its `pattern`s are Go (RE2) regular expressions —
 * `\PC` (any character not in Unicode category C) becomes `\P{C}` in a JavaScript `u` regexp — and the formats it
 * uses (`cidr`, `int32`, `int64`, `date-time`, `idn-hostname`) are registered by hand. The `x-kubernetes-*`
 * extensions are ignored (ajv's strict mode is off).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { parsePrefix } from '../cidr.js';

/** Where the shared reference lives (beside the repository). */
export const SHARED_CILIUM_REFERENCE = fileURLToPath(new URL('../../../../../shared/reference/cilium/', import.meta.url));

const FILES = { CiliumNetworkPolicy: 'crd-v2-ciliumnetworkpolicies.yaml', CiliumClusterwideNetworkPolicy: 'crd-v2-ciliumclusterwidenetworkpolicies.yaml' } as const;

/** Validates one object; returns the ajv errors as `path: message` lines (empty when valid). */
export type CrdValidator = (object: unknown) => string[];

/** Go regexp → JavaScript unicode regexp, for the constructs the Cilium CRDs use. */
export function goPatternToJs(pattern: string): string {
  return pattern.replace(/\\([pP])([A-Za-z])(?![A-Za-z{])/g, '\\$1{$2}');
}

function adapt(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(adapt);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'pattern' && typeof v === 'string' ? goPatternToJs(v) : adapt(v);
  return out;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true });
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => parsePrefix(s) !== undefined });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('idn-hostname', { type: 'string', validate: () => true });
  return ajv;
}

const format = (e: ErrorObject): string => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`;

/** The validators by kind, or undefined when the shared reference is absent. */
export function loadCrdValidators(dir = SHARED_CILIUM_REFERENCE): Record<keyof typeof FILES, CrdValidator> | undefined {
  if (!Object.values(FILES).every((f) => existsSync(dir + f))) return undefined;
  const ajv = newAjv();
  const compile = (file: string): CrdValidator => {
    const crd = parse(readFileSync(dir + file, 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] } };
    const schema = crd.spec.versions.find((v) => v.name === 'v2')!.schema.openAPIV3Schema;
    const validate: ValidateFunction = ajv.compile(adapt(schema) as object);
    return (object) => (validate(object) ? [] : (validate.errors ?? []).map(format));
  };
  return { CiliumNetworkPolicy: compile(FILES.CiliumNetworkPolicy), CiliumClusterwideNetworkPolicy: compile(FILES.CiliumClusterwideNetworkPolicy) };
}
