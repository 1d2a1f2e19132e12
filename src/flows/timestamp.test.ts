import { describe, expect, it } from 'vitest';
import { decodeTimestampValue, formatTimestamp, parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it('keeps Hubble’s own nanosecond UTC form as is', () => {
    const t = parseTimestamp('2021-06-16T16:52:13.136834446Z');
    expect(t).toEqual({ iso: '2021-06-16T16:52:13.136834446Z', ms: Date.parse('2021-06-16T16:52:13.136Z') });
  });

  it.each([
    ['1970-01-01T00:20:34.567800Z', '1970-01-01T00:20:34.567800000Z', 1_234_567],
    ['2021-11-10T10:41:26.095357Z', '2021-11-10T10:41:26.095357000Z', Date.parse('2021-11-10T10:41:26.095Z')],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000000000Z', Date.parse('2024-02-29T23:59:59Z')],
    ['2024-02-29T23:59:59.5Z', '2024-02-29T23:59:59.500000000Z', Date.parse('2024-02-29T23:59:59.5Z')],
    ['2024-01-01T01:30:00.000000001+02:00', '2023-12-31T23:30:00.000000001Z', Date.parse('2023-12-31T23:30:00Z')],
    ['2023-12-31T22:30:00.25-01:30', '2024-01-01T00:00:00.250000000Z', Date.parse('2024-01-01T00:00:00.25Z')],
    ['2023-06-01T12:00:00+0530', '2023-06-01T06:30:00.000000000Z', Date.parse('2023-06-01T06:30:00Z')],
    ['2023-06-01t12:00:00z', '2023-06-01T12:00:00.000000000Z', Date.parse('2023-06-01T12:00:00Z')],
    ['2023-06-01 12:00:00Z', '2023-06-01T12:00:00.000000000Z', Date.parse('2023-06-01T12:00:00Z')],
    ['2023-06-01T12:00:00.1234567891234Z', '2023-06-01T12:00:00.123456789Z', Date.parse('2023-06-01T12:00:00.123Z')],
    ['1969-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999000000Z', -1],
  ])('normalises %s to UTC with nine fraction digits', (input, iso, ms) => {
    expect(parseTimestamp(input)).toEqual({ iso, ms });
  });

  it.each([
    '',
    'yesterday',
    '2021-06-16',
    '2021-06-16T16:52:13',
    '2021-06-16T16:52:13.Z',
    '2021-13-01T00:00:00Z',
    '2021-04-31T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2021-06-16T24:00:00Z',
    '2021-06-16T16:60:00Z',
    '2021-06-16T16:52:60Z',
    '2021-06-16T16:52:13+25:00',
    '2021-06-16T16:52:13Zjunk',
    '0000-01-01T00:00:00Z',
    '2021-06-16X16:52:13Z',
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });

  it('orders normalised strings in time order across offsets', () => {
    const a = parseTimestamp('2024-01-01T00:59:59.9+01:00')!.iso; // 23:59:59.9 UTC the day before
    const b = parseTimestamp('2023-12-31T23:59:59.95Z')!.iso;
    expect(a < b).toBe(true);
  });
});

describe('formatTimestamp', () => {
  it('formats epoch seconds and nanoseconds', () => {
    expect(formatTimestamp(0, 5)).toBe('1970-01-01T00:00:00.000000005Z');
    expect(formatTimestamp(253402300799, 999_999_999)).toBe('9999-12-31T23:59:59.999999999Z');
    expect(formatTimestamp(253402300800, 0)).toBeUndefined();
  });
});

describe('decodeTimestampValue', () => {
  it('accepts Go encoding/json’s {seconds, nanos}', () => {
    expect(decodeTimestampValue({ seconds: '1623862333', nanos: 136834446 })).toEqual({
      iso: '2021-06-16T16:52:13.136834446Z',
      ms: 1623862333136,
    });
    expect(decodeTimestampValue({ seconds: 1623862333 })?.iso).toBe('2021-06-16T16:52:13.000000000Z');
    expect(decodeTimestampValue({})).toBeUndefined();
    expect(decodeTimestampValue({ seconds: 1, nanos: 1e9 })).toBeUndefined();
    expect(decodeTimestampValue(1623862333)).toBeUndefined();
  });
});
