/**
 * @module sample/yaml — a small, fast YAML writer for plain JSON-like data, in kubectl's style: keys
 * sorted, sequences not indented under their key, strings quoted only when a plain scalar would read
 * back as something else. The `yaml` package reads the output back to the same data (tested); this
 * writer exists because the large sample's dump (tens of MB) takes the general-purpose one seconds.
 *
 * Supports objects, arrays, strings, finite numbers and booleans; `undefined` properties are left
 * out; anything else is a bug and throws.
 */

/** Strings YAML 1.1 or 1.2 would read as a boolean or null. */
const RESERVED = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', '~', '']);

/** True when `s` can be written as a plain scalar and read back as the same string. */
function isPlainSafe(s: string): boolean {
  if (s.length > 200 || RESERVED.has(s.toLowerCase())) return false;
  // Anything that starts like a number, a date or an indicator gets quotes.
  if (!/^[A-Za-z_/]/.test(s)) return false;
  if (!/^[A-Za-z0-9_./\-:@=+,()*\\ ]*$/.test(s)) return false;
  if (s.endsWith(' ') || s.endsWith(':') || s.includes(': ') || s.includes(' #')) return false;
  if (/^\.(inf|nan)$/i.test(s)) return false;
  return true;
}

function scalar(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return isPlainSafe(v) ? v : JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as YAML`);
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      throw new TypeError(`cannot write a ${v === null ? 'null' : typeof v} as YAML`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function emit(v: unknown, indent: string, out: string[]): void {
  // Called for the value of a key or a sequence item that is a non-empty collection: it starts on a new line.
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isObject(item) && Object.keys(item).some((k) => item[k] !== undefined)) {
        const keys = Object.keys(item).filter((k) => item[k] !== undefined).sort(cmp);
        keys.forEach((k, i) => pair(k, item[k], indent + '  ', out, i === 0 ? `${indent}- ` : `${indent}  `));
      } else if (Array.isArray(item) && item.length > 0) {
        throw new TypeError('nested sequences are not supported');
      } else {
        out.push(`${indent}- ${inline(item)}\n`);
      }
    }
    return;
  }
  if (isObject(v)) {
    for (const k of Object.keys(v).filter((key) => v[key] !== undefined).sort(cmp)) pair(k, v[k], indent, out, indent);
    return;
  }
  throw new TypeError('emit expects a collection');
}

/** An empty collection or a scalar, on one line. */
function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isObject(v)) return '{}';
  return scalar(v);
}

function pair(key: string, value: unknown, indent: string, out: string[], prefix: string): void {
  const k = scalar(key);
  if (Array.isArray(value) && value.length > 0) {
    out.push(`${prefix}${k}:\n`);
    emit(value, indent, out);
  } else if (isObject(value) && Object.keys(value).some((x) => value[x] !== undefined)) {
    out.push(`${prefix}${k}:\n`);
    emit(value, indent + '  ', out);
  } else {
    out.push(`${prefix}${k}: ${inline(value)}\n`);
  }
}

/** Writes a mapping as a YAML document (no `---`), ending in one newline. */
export function stringifyYaml(doc: Record<string, unknown>): string {
  const out: string[] = [];
  emit(doc, '', out);
  return out.join('');
}
