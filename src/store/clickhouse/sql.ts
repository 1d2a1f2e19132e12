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

/** Splits a TabSeparated answer into rows of unescaped fields. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    rows.push(line.split('\t').map(unescapeTsv));
  }
  return rows;
}
