import { describe, expect, it } from 'vitest';
import { cronFireTimes, parseCron } from './cron.js';

const since = Date.parse('2026-11-02T00:00:00Z'); // a Monday
const day = 86_400_000;
const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString().slice(0, 16));

describe('cron', () => {
  it('fires daily, hourly and every n minutes in UTC', () => {
    expect(iso(cronFireTimes('0 1 * * *', since, since + 3 * day))).toEqual(['2026-11-02T01:00', '2026-11-03T01:00', '2026-11-04T01:00']);
    expect(cronFireTimes('0 * * * *', since, since + day)).toHaveLength(24);
    expect(cronFireTimes('*/30 * * * *', since, since + day)).toHaveLength(48);
    expect(iso(cronFireTimes('15 */6 * * *', since, since + day))).toEqual(['2026-11-02T00:15', '2026-11-02T06:15', '2026-11-02T12:15', '2026-11-02T18:15']);
  });

  it('honours day of week and the either-day rule', () => {
    expect(cronFireTimes('45 3 * * 0', since, since + 3 * day)).toEqual([]);
    expect(iso(cronFireTimes('45 3 * * 0', since, since + 7 * day))).toEqual(['2026-11-08T03:45']);
    expect(iso(cronFireTimes('0 0 5 * 1', since, since + 7 * day))).toEqual(['2026-11-02T00:00', '2026-11-05T00:00']);
    expect(iso(cronFireTimes('0 0 * * 1-2', since, since + 7 * day))).toEqual(['2026-11-02T00:00', '2026-11-03T00:00']);
  });

  it('rejects what it does not understand', () => {
    expect(() => parseCron('@daily')).toThrow(/five fields/);
    expect(() => parseCron('61 * * * *')).toThrow(/invalid cron field '61'/);
  });
});
