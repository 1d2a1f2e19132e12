/**
 * @module cluster/parse — the text of one dump file → its documents (pure; the reader does the I/O).
 *
 * Accepts what people actually have: `kubectl get … -o yaml` (one `List`), manifests joined with `---`,
 * `kubectl get … -o json` (an object or a `List`), and JSON values written one after another (`jq -c
 * '.items[]'`, or several `-o json` outputs appended to one file).
 */
import { parseAllDocuments, type YAMLError } from 'yaml';
import { InputError } from '../shared/errors.js';
import type { ClusterDocument } from './decode.js';

/**
 * Parses one file's text into documents, leaving out empty ones (a leading `---`, comments only).
 * Sources are `file` when the file holds one document and `file#n` (1-based, counting every document of
 * the stream) when it holds several.
 *
 * @throws InputError naming the file, the line and the document when the text is not YAML or JSON.
 */
export function parseClusterText(text: string, file: string): ClusterDocument[] {
  const start = text.search(/\S/);
  if (start < 0) return [];
  const first = text[start];
  if (first === '{' || first === '[') {
    // Fast path: JSON.parse is an order of magnitude faster than a YAML parser on large `-o json` dumps.
    const whole = tryJson(text);
    if (whole.ok) return documents([whole.value], file);
    const parts = splitJsonValues(text, start);
    if (parts !== undefined && parts.length > 1) {
      const values = parts.map((p, i) => {
        const parsed = tryJson(p.text);
        if (parsed.ok) return parsed.value;
        // Let the YAML parser find the line of the error; report it relative to the whole file.
        return parseYaml(p.text, file, parts.length, i, lineOf(text, p.offset) - 1)[0];
      });
      return documents(values, file);
    }
  }
  const values = parseYaml(text, file, undefined, 0, 0);
  return documents(values, file);
}

function documents(values: readonly unknown[], file: string): ClusterDocument[] {
  const many = values.length > 1;
  const out: ClusterDocument[] = [];
  values.forEach((object, i) => {
    if (object === null || object === undefined) return;
    out.push({ source: many ? `${file}#${i + 1}` : file, object, file });
  });
  return out;
}

/**
 * Parses a YAML stream. `docCount`/`docIndex`/`lineOffset` place a fragment (one JSON value of a stream)
 * in its file for error messages.
 */
function parseYaml(text: string, file: string, docCount: number | undefined, docIndex: number, lineOffset: number): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, merge: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: unknown[] = [];
  list.forEach((doc, i) => {
    const n = docCount === undefined ? i + 1 : docIndex + 1;
    const error = doc.errors[0];
    if (error !== undefined) throw yamlError(error, file, lineOffset, n, docCount ?? list.length);
    try {
      out.push(doc.toJS());
    } catch (cause) {
      // toJS throws on alias bombs (more aliases than maxAliasCount) and unresolvable aliases.
      const reason = cause instanceof Error ? cause.message : String(cause);
      const line = lineOf(text, doc.range[0]) + lineOffset;
      throw new InputError(`${file}:${line}: cannot read document ${n}: ${reason}`, { file, line }, { cause });
    }
  });
  return out;
}

function yamlError(error: YAMLError, file: string, lineOffset: number, n: number, total: number): InputError {
  const line = (error.linePos?.[0].line ?? 1) + lineOffset;
  const col = error.linePos?.[0].col;
  const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const doc = total > 1 ? ` (document ${n})` : '';
  return new InputError(
    `${file}:${line}${col === undefined ? '' : `:${col}`}: not valid YAML or JSON${doc}: ${reason}. Fix the file, or leave it out of --cluster`,
    { file, line },
    { cause: error },
  );
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Splits concatenated JSON values (`{…}{…}` or one per line) at depth 0. Undefined when the text is not
 * such a sequence (something other than objects/arrays between values, or unbalanced brackets).
 */
function splitJsonValues(text: string, from: number): { text: string; offset: number }[] | undefined {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let inString = false;
  let begin = -1;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      if (depth === 0) return undefined;
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) begin = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) parts.push({ text: text.slice(begin, i + 1), offset: begin });
    } else if (depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      return undefined;
    }
  }
  return depth === 0 && !inString ? parts : undefined;
}

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
