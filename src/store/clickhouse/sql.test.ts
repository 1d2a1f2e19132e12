import { describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import { parseClickHouseLocation } from './location.js';
import { parseTsv, sqlInt, sqlString, sqlStringList, unescapeTsv } from './sql.js';

describe('sqlString', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString("\\'")).toBe("'\\\\\\''");
    expect(sqlString('a\nb\tc\r\0')).toBe("'a\\nb\\tc\\r\\0'");
    expect(sqlString('ünïcode ✓')).toBe("'ünïcode ✓'");
  });

  it('never leaves an unescaped quote that ends the literal early', () => {
    for (const s of ["'", "\\'", "''", "\\\\'", "x' OR '1'='1", "\\"]) {
      const body = sqlString(s).slice(1, -1);
      // Every quote in the body is preceded by an odd number of backslashes.
      for (let i = 0; i < body.length; i++) {
        if (body[i] !== "'") continue;
        let n = 0;
        while (body[i - 1 - n] === '\\') n++;
        expect(n % 2, `${s} → ${body}`).toBe(1);
      }
    }
  });

  it('lists and integers', () => {
    expect(sqlStringList([])).toBe("('')");
    expect(sqlStringList(['a', "b'"])).toBe("('a', 'b\\'')");
    expect(sqlInt(-5)).toBe('(-5)');
    expect(() => sqlInt(1.5)).toThrow(RangeError);
  });

  it('reads TabSeparated escapes back', () => {
    expect(unescapeTsv('a\\tb\\nc\\\\d\\\'')).toBe("a\tb\nc\\d'");
    expect(parseTsv('a\tb\\tc\n1\t2\n')).toEqual([['a', 'b\tc'], ['1', '2']]);
  });
});

describe('parseClickHouseLocation', () => {
  it('takes user, password, port, database and secure from the URL, the password from the environment otherwise', () => {
    expect(parseClickHouseLocation('clickhouse://ops:s%40cret@ch.example:9000/flows')).toEqual({
      endpoint: 'http://ch.example:9000',
      database: 'flows',
      user: 'ops',
      password: 's@cret',
      display: 'clickhouse://ops@ch.example:9000/flows',
    });
    const tls = parseClickHouseLocation('clickhouse://ch.example/flows?secure=1', { TIGHTEN_CLICKHOUSE_PASSWORD: 'envpw' });
    expect(tls).toMatchObject({ endpoint: 'https://ch.example:8443', user: 'default', password: 'envpw' });
    expect(parseClickHouseLocation('clickhouse://ch.example/flows').endpoint).toBe('http://ch.example:8123');
    expect(parseClickHouseLocation('clickhouse://ch.example/flows?max_execution_time=600').maxExecutionSeconds).toBe(600);
    expect(parseClickHouseLocation('clickhouse://ch.example/flows').maxExecutionSeconds).toBeUndefined();
  });

  it('names the store in errors and never shows the password', () => {
    const bad = [
      'clickhouse://u:hunter2@host',
      'clickhouse://u:hunter2@host:8123/bad-name',
      'clickhouse://u:hunter2@host:8123/db?compress=1',
      'clickhouse://u:hunter2@host:8123/db?max_execution_time=1m',
      'clickhouse://u:hunter2@[bad/db',
    ];
    for (const location of bad) {
      let error: unknown;
      try {
        parseClickHouseLocation(location);
      } catch (e) {
        error = e;
      }
      expect(error, location).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/clickhouse:\/\/u(:\*\*\*)?@/);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
