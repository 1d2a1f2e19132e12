import { describe, expect, it } from 'vitest';
import { LineSplitter, LineTooLongError } from './line-splitter.js';

function split(chunks: readonly (string | Buffer)[], maxLineBytes?: number): [string, number][] {
  const out: [string, number][] = [];
  const s = new LineSplitter((line, n) => out.push([line, n]), maxLineBytes);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return out;
}

/** Cuts `text` into chunks of `size` bytes (so multi-byte characters may be split). */
function bytesOf(text: string, size: number): Buffer[] {
  const b = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

describe('LineSplitter', () => {
  it('splits lines and numbers them, blank ones included', () => {
    expect(split(['a\nb\n\nc\n'])).toEqual([
      ['a', 1],
      ['b', 2],
      ['', 3],
      ['c', 4],
    ]);
  });

  it('emits a last line without a newline on end()', () => {
    expect(split(['a\nb'])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(split([''])).toEqual([]);
  });

  it('drops the CR of CRLF endings', () => {
    expect(split(['a\r\nb\r', '\nc\r\n'])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('joins lines split across chunks, including long runs of chunks without a newline', () => {
    expect(split(['ab', 'cd', 'ef\ngh', 'i', '\n'])).toEqual([
      ['abcdef', 1],
      ['ghi', 2],
    ]);
  });

  it('decodes multi-byte UTF-8 characters split at every possible byte', () => {
    const text = 'ns=café\n{"q":"日本語.example."}\n🚀 rocket\nplain\n';
    for (let size = 1; size <= 8; size++) {
      expect(split(bytesOf(text, size)).map(([l]) => l)).toEqual(['ns=café', '{"q":"日本語.example."}', '🚀 rocket', 'plain']);
    }
  });

  it('throws LineTooLongError with the line number when a line exceeds the limit', () => {
    const s = new LineSplitter(() => {}, 10);
    s.push(Buffer.from('short\n'));
    expect(() => s.push(Buffer.from('x'.repeat(11)))).toThrow(LineTooLongError);
    let caught: unknown;
    try {
      new LineSplitter(() => {}, 10).push(Buffer.from('ok\nok\nxxxxxxxxxxxxxxxx'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LineTooLongError);
    expect(caught).toMatchObject({ line: 3, limit: 10 });
  });
});
