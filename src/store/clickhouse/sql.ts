/**
 * @module store/clickhouse/sql — literals and names written into ClickHouse SQL. ClickHouse 18.16 has
 * no query parameters, so every value in a query is a literal escaped here; row data never goes
 * through SQL text (it is sent as `FORMAT JSONEachRow` bodies).
 */

/**
 * A ClickHouse string literal: single-quoted, with backslash, quote and control characters escaped
 * (ClickHouse reads backslash escapes in string literals, so a doubled quote alone is not enough).
 */
export function sqlString(value: string): string {
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += ch;
    }
  }
  return `${out}'`;
}

/** A non-negative integer literal. @throws RangeError when `value` is not a safe non-negative integer */
export function sqlUInt(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
  return String(value);
}

/** A signed integer literal. @throws RangeError when `value` is not a safe integer */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return value < 0 ? `(${value})` : String(value);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` can be a database or table name as written (letters, digits, underscores). */
export function isPlainName(name: string): boolean {
  return NAME.test(name);
}

/** A list of string literals for `IN (…)`; `('')` when empty, so the query stays valid and matches nothing real. */
export function sqlStringList(values: readonly string[]): string {
  return values.length === 0 ? "('')" : `(${values.map(sqlString).join(', ')})`;
}

/**
 * Reads a TabSeparated field as ClickHouse writes it (backslash escapes), the inverse of its output escaping.
 */
export function unescapeTsv(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      default:
        return c;
    }
  });
}

/** Splits one TabSeparated line (without its newline) into unescaped fields. */
export function parseTsvLine(line: string): string[] {
  const fields = line.split('\t');
  for (let i = 0; i < fields.length; i++) fields[i] = unescapeTsv(fields[i]!);
  return fields;
}

/**
 * V8 keeps a substring of 13 characters or more as a slice of its parent: a field kept from a streamed
 * chunk would keep the whole chunk alive (and, kept from every chunk, the whole answer).
 */
const SLICED_FROM = 13;

/** {@link parseTsvLine}, with fields that share no memory with `line` (see {@link SLICED_FROM}). */
function parseTsvLineDetached(line: string): string[] {
  const fields = line.split('\t');
  for (let i = 0; i < fields.length; i++) {
    const f = unescapeTsv(fields[i]!);
    // A JSON round trip is the cheapest way to a flat copy (a concatenation sliced keeps a slice of the copy).
    fields[i] = f.length < SLICED_FROM ? f : (JSON.parse(JSON.stringify(f)) as string);
  }
  return fields;
}

/** Splits a whole TabSeparated answer into rows of unescaped fields: a row per line, each line ended by a newline. */
export function parseTsv(text: string): string[][] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map(parseTsvLine);
}

/**
 * Splits a TabSeparated answer received in chunks of bytes into rows. A chunk may end anywhere: inside a
 * line, inside an escape, inside a multibyte character (bytes are decoded by a streaming decoder, and a
 * line is parsed once its newline has arrived). The last complete line is held back until more comes, so
 * that at the end the caller can inspect it ({@link TsvSplitter.end}): a server may append an error
 * message to an answer it already started to send. Rows share no memory with the chunks: keeping some
 * of their fields keeps no chunk alive.
 */
export class TsvSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  /** The last complete line, not yet parsed. */
  private held: string | undefined;
  /** The line under way (its newline not received yet). */
  private partial = '';

  /** Takes the next chunk; returns the rows it completed (all but the last complete line). */
  push(chunk: Uint8Array): string[][] {
    return this.split(this.decoder.decode(chunk, { stream: true }));
  }

  /**
   * Ends the answer; returns what is left unparsed: the held line with its newline, then any text after
   * the last newline (empty when the answer ended with a newline, as a whole TabSeparated answer does).
   */
  end(): string {
    this.split(this.decoder.decode());
    const tail = this.held === undefined ? this.partial : `${this.held}\n${this.partial}`;
    this.held = undefined;
    this.partial = '';
    return tail;
  }

  private split(text: string): string[][] {
    if (!text.includes('\n')) {
      this.partial += text;
      return [];
    }
    const lines = text.split('\n');
    lines[0] = this.partial + lines[0]!;
    this.partial = lines.pop()!;
    const rows: string[][] = [];
    if (this.held !== undefined) rows.push(parseTsvLineDetached(this.held));
    for (let i = 0; i < lines.length - 1; i++) rows.push(parseTsvLineDetached(lines[i]!));
    this.held = lines.at(-1);
    return rows;
  }
}
