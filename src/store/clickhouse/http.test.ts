/**
 * The HTTP client's streamed reads: the TabSeparated splitter on every chunk boundary, and streams from a
 * real ClickHouse server (large answers, escaped fields, a query failing after its first rows went out),
 * and from a fake one for answers 18.16 does not send (an error appended mid-row, a connection cut).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ClickHouseError, ClickHouseHttp } from './http.js';
import { parseClickHouseLocation } from './location.js';
import { TsvSplitter, sqlString } from './sql.js';
import { startClickHouse, type TestServer } from './test-support/server.js';

/** Feeds `bytes` to a splitter cut at `cuts`; returns the rows and the unparsed tail. */
function splitAt(bytes: Uint8Array, cuts: readonly number[]): { rows: string[][]; tail: string } {
  const splitter = new TsvSplitter();
  const rows: string[][] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    rows.push(...splitter.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return { rows, tail: splitter.end() };
}

describe('TsvSplitter', () => {
  const text = 'a\tb\\tc\nü✓\t\\\\x\\n\n\t\n𝄞 end\t1\n';
  const bytes = new TextEncoder().encode(text);
  const expected = [['a', 'b\tc'], ['ü✓', '\\x\n'], ['', ''], ['𝄞 end', '1']];

  it('gives the same rows wherever one cut falls: inside a line, a multibyte character or an escape', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { rows, tail } = splitAt(bytes, [cut]);
      expect(rows, `cut at ${cut}`).toEqual(expected.slice(0, 3));
      expect(tail, `cut at ${cut}`).toBe('𝄞 end\t1\n');
    }
  });

  it('gives the same rows fed one byte at a time', () => {
    const { rows, tail } = splitAt(bytes, Array.from({ length: bytes.length }, (_, i) => i));
    expect(rows).toEqual(expected.slice(0, 3));
    expect(tail).toBe('𝄞 end\t1\n');
  });

  it('holds back the last complete line and returns text after the last newline as it is', () => {
    const { rows, tail } = splitAt(new TextEncoder().encode('1\n2\nCode: 1. DB::Exception: x\npart'), [3]);
    expect(rows).toEqual([['1'], ['2']]);
    expect(tail).toBe('Code: 1. DB::Exception: x\npart');
  });
});

let dir: string;
let server: TestServer | undefined;
let skipReason = '';
let http: ClickHouseHttp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-ch-http-'));
  const started = await startClickHouse(join(dir, 'server'));
  if ('skip' in started) skipReason = started.skip;
  else {
    server = started;
    http = new ClickHouseHttp(parseClickHouseLocation(server.url('default')));
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function needsServer(ctx: TestContext): void {
  if (server === undefined) ctx.skip(skipReason);
}

describe('ClickHouseHttp.stream (real server)', () => {
  it('streams a large answer in many batches, every row once and whole', async (ctx) => {
    needsServer(ctx);
    const n = 2_000_000;
    let count = 0;
    let sum = 0;
    let wrong = 0;
    let batches = 0;
    for await (const batch of http.stream(`SELECT number, toString(number * 7) FROM system.numbers LIMIT ${n}`)) {
      batches++;
      for (const [a, b] of batch) {
        if (Number(b) !== Number(a) * 7 || Number(a) !== count) wrong++;
        sum += Number(a);
        count++;
      }
    }
    expect(wrong).toBe(0);
    expect(count).toBe(n);
    expect(sum).toBe((n * (n - 1)) / 2);
    expect(batches).toBeGreaterThan(10);
  }, 60_000);

  it('gives back fields with tabs, newlines, backslashes and multibyte characters as written', async (ctx) => {
    needsServer(ctx);
    const nasty = ['tab\there', 'new\nline\r', 'back\\slash\\', "\\'", 'ünïcödé ✓ 𝄞', '', '\\n not a newline', '\0nul'];
    const fields = nasty.map(sqlString).join(', ');
    // Many copies, so that chunk boundaries fall everywhere in the rows.
    const rows = await http.rows(`SELECT number, ${fields} FROM system.numbers LIMIT 20000`);
    expect(rows).toHaveLength(20000);
    for (const r of rows) expect(r.slice(1)).toEqual(nasty);
    expect(await http.rows(`SELECT ''`)).toEqual([['']]);
  }, 60_000);

  it('throws a ClickHouseError when the query fails after rows were sent (status 200 already gone)', async (ctx) => {
    needsServer(ctx);
    let received = 0;
    const reading = (async () => {
      for await (const batch of http.stream('SELECT number, throwIf(number = 500000) FROM system.numbers LIMIT 1000000 SETTINGS max_block_size = 10000')) received += batch.length;
    })();
    const error = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as Error).message).toMatch(/failed a query after it started to answer \(HTTP 200\): Code: 395/);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(500_000);
    await expect(http.rows('SELECT number, throwIf(number = 500000) FROM system.numbers LIMIT 1000000 SETTINGS max_block_size = 10000')).rejects.toThrow(ClickHouseError);
  }, 60_000);

  it('throws a ClickHouseError for a refused query, and stops reading an answer left early', async (ctx) => {
    needsServer(ctx);
    await expect(http.rows('SELECT no_such_column')).rejects.toThrow(/refused a query \(HTTP \d+\): Code: 47/);
    for await (const batch of http.stream('SELECT number FROM system.numbers')) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(await http.rows('SELECT 1')).toEqual([['1']]);
  }, 60_000);
});

/** A fake server answering every request with status 200 and `body`, then `end` (or a cut connection). */
async function fakeServer(body: string, end: 'end' | 'destroy'): Promise<{ http: ClickHouseHttp; close: () => Promise<void> }> {
  const s: Server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/tab-separated-values' });
    res.write(body, () => {
      if (end === 'end') res.end();
      else res.destroy();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  return {
    http: new ClickHouseHttp(parseClickHouseLocation(`clickhouse://default@127.0.0.1:${port}/default`)),
    close: () => new Promise((r) => s.close(() => r())),
  };
}

describe('ClickHouseHttp.stream (fake server)', () => {
  it('throws for an error appended mid-row, as later ClickHouse releases may write it', async () => {
    const fake = await fakeServer('1\ta\n2\tbCode: 241. DB::Exception: Memory limit (for query) exceeded', 'end');
    try {
      await expect(fake.http.rows('SELECT 1')).rejects.toThrow(/failed a query after it started to answer.*Code: 241/);
    } finally {
      await fake.close();
    }
  });

  it('throws a retryable error naming the limit when the answer does not end in time', async () => {
    const s: Server = createServer((_, res) => {
      res.writeHead(200);
      res.write('1\n');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    const slow = new ClickHouseHttp(parseClickHouseLocation(`clickhouse://default@127.0.0.1:${port}/default`), { maxExecutionSeconds: 1, timeoutMs: 300 });
    try {
      const error = await slow.rows('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClickHouseError);
      expect((error as ClickHouseError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/no complete answer within 0.3 s/);
    } finally {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('throws a retryable error for an answer cut off mid-row', async () => {
    const fake = await fakeServer('1\ta\n2\tb', 'destroy');
    try {
      const error = await fake.http.rows('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClickHouseError);
      expect((error as ClickHouseError).retryable).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('reads an answer whose last row is data that only looks like an error in another column', async () => {
    const fake = await fakeServer('1\tCode: 1. DB::Exception: just text\n', 'end');
    try {
      expect(await fake.http.rows('SELECT 1')).toEqual([['1', 'Code: 1. DB::Exception: just text']]);
    } finally {
      await fake.close();
    }
  });
});
