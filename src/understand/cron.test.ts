import { describe, expect, it } from 'vitest';
import { cronTimesBetween, nextCronTime, parseCronSchedule, type CronSchedule } from './cron.js';

function schedule(text: string): CronSchedule {
  const r = parseCronSchedule(text);
  if ('error' in r) throw new Error(r.error);
  return r.schedule;
}

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');
const between = (text: string, from: string, to: string, limit?: number) => cronTimesBetween(schedule(text), ms(from), ms(to), limit).map(iso);

describe('parseCronSchedule and cronTimesBetween (UTC)', () => {
  it('fires every 15 minutes with */15, the window ends inclusive', () => {
    expect(between('*/15 * * * *', '2026-11-02T10:00:00Z', '2026-11-02T11:00:00Z')).toEqual([
      '2026-11-02T10:00Z',
      '2026-11-02T10:15Z',
      '2026-11-02T10:30Z',
      '2026-11-02T10:45Z',
      '2026-11-02T11:00Z',
    ]);
  });

  it('starts at the first whole minute at or after the window start', () => {
    expect(between('* * * * *', '2026-11-02T10:00:30Z', '2026-11-02T10:02:00Z')).toEqual(['2026-11-02T10:01Z', '2026-11-02T10:02Z']);
  });

  it('reads step ranges, n/step and lists', () => {
    expect(between('10-50/20 9 * * *', '2026-11-02T00:00:00Z', '2026-11-02T23:59:00Z')).toEqual(['2026-11-02T09:10Z', '2026-11-02T09:30Z', '2026-11-02T09:50Z']);
    expect(between('0 20/2 * * *', '2026-11-02T00:00:00Z', '2026-11-02T23:59:00Z')).toEqual(['2026-11-02T20:00Z', '2026-11-02T22:00Z']);
    expect(between('5,35 1,13 * * *', '2026-11-02T00:00:00Z', '2026-11-02T23:59:00Z')).toEqual([
      '2026-11-02T01:05Z',
      '2026-11-02T01:35Z',
      '2026-11-02T13:05Z',
      '2026-11-02T13:35Z',
    ]);
  });

  it('reads month and weekday names, case-insensitively', () => {
    // 2026-11-02 is a Monday
    expect(between('0 9 * * MON-fri', '2026-11-01T00:00:00Z', '2026-11-08T23:59:00Z')).toEqual([
      '2026-11-02T09:00Z',
      '2026-11-03T09:00Z',
      '2026-11-04T09:00Z',
      '2026-11-05T09:00Z',
      '2026-11-06T09:00Z',
    ]);
    expect(between('0 0 1 JAN,jul *', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z')).toEqual(['2026-01-01T00:00Z', '2026-07-01T00:00Z']);
  });

  it('reads 7 as Sunday', () => {
    expect(between('0 12 * * 7', '2026-11-01T00:00:00Z', '2026-11-08T23:59:00Z')).toEqual(['2026-11-01T12:00Z', '2026-11-08T12:00Z']);
  });

  it('ORs the day fields when both are restricted, ANDs them when one is *', () => {
    // Friday the 13th rule: the 13th of any month, or any Friday
    expect(between('0 0 13 * FRI', '2026-11-01T00:00:00Z', '2026-11-30T23:59:00Z')).toEqual([
      '2026-11-06T00:00Z',
      '2026-11-13T00:00Z',
      '2026-11-20T00:00Z',
      '2026-11-27T00:00Z',
    ]);
    expect(between('0 0 * * FRI', '2026-11-01T00:00:00Z', '2026-11-14T23:59:00Z')).toEqual(['2026-11-06T00:00Z', '2026-11-13T00:00Z']);
    // a stepped day of month is restricted (robfig/cron clears the star for steps above 1)
    expect(between('0 0 */10 * MON', '2026-11-01T00:00:00Z', '2026-11-12T23:59:00Z')).toEqual([
      '2026-11-01T00:00Z',
      '2026-11-02T00:00Z',
      '2026-11-09T00:00Z',
      '2026-11-11T00:00Z',
    ]);
  });

  it('knows the descriptors', () => {
    expect(between('@hourly', '2026-11-02T10:30:00Z', '2026-11-02T12:30:00Z')).toEqual(['2026-11-02T11:00Z', '2026-11-02T12:00Z']);
    expect(between('@daily', '2026-11-02T10:00:00Z', '2026-11-04T10:00:00Z')).toEqual(['2026-11-03T00:00Z', '2026-11-04T00:00Z']);
    expect(between('@midnight', '2026-11-02T10:00:00Z', '2026-11-03T10:00:00Z')).toEqual(['2026-11-03T00:00Z']);
    expect(between('@weekly', '2026-11-02T00:00:00Z', '2026-11-16T00:00:00Z')).toEqual(['2026-11-08T00:00Z', '2026-11-15T00:00Z']);
    expect(between('@monthly', '2026-11-02T00:00:00Z', '2027-01-31T00:00:00Z')).toEqual(['2026-12-01T00:00Z', '2027-01-01T00:00Z']);
    expect(between('@yearly', '2026-11-02T00:00:00Z', '2028-11-02T00:00:00Z')).toEqual(['2027-01-01T00:00Z', '2028-01-01T00:00Z']);
    expect(between('@annually', '2026-11-02T00:00:00Z', '2027-11-02T00:00:00Z')).toEqual(['2027-01-01T00:00Z']);
  });

  it('finds nothing in a short window the schedule does not reach', () => {
    expect(between('0 3 * * *', '2026-11-02T10:00:00Z', '2026-11-02T12:00:00Z')).toEqual([]);
    expect(iso(nextCronTime(schedule('0 3 * * *'), ms('2026-11-02T12:00:00Z'))!)).toBe('2026-11-03T03:00Z');
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(iso(nextCronTime(schedule('30 23 31 * *'), ms('2026-11-02T00:00:00Z'))!)).toBe('2026-12-31T23:30Z');
    expect(iso(nextCronTime(schedule('0 0 29 2 *'), ms('2026-03-01T00:00:00Z'))!)).toBe('2028-02-29T00:00Z');
  });

  it('gives up on a schedule that never fires', () => {
    expect(nextCronTime(schedule('0 0 30 2 *'), ms('2026-11-02T00:00:00Z'))).toBeUndefined();
  });

  it('stops at the limit', () => {
    expect(between('* * * * *', '2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z', 3)).toHaveLength(3);
  });

  it('keeps a CRON_TZ or TZ prefix apart', () => {
    const s = schedule('CRON_TZ=Europe/Berlin 0 3 * * *');
    expect(s.timeZone).toBe('Europe/Berlin');
    expect(s.expression).toBe('0 3 * * *');
    expect(schedule('TZ=UTC @daily').timeZone).toBe('UTC');
  });

  it('explains what is wrong with a bad schedule', () => {
    const error = (t: string) => {
      const r = parseCronSchedule(t);
      return 'error' in r ? r.error : undefined;
    };
    expect(error('0 3 * *')).toBe('"0 3 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4');
    expect(error('60 * * * *')).toBe('"60 * * * *": minute 60 is outside 0-59');
    expect(error('0 5-2 * * *')).toBe('"0 5-2 * * *": hour field "5-2": range "5-2" runs backwards');
    expect(error('*/0 * * * *')).toBe('"*/0 * * * *": minute field "*/0": the step in "*/0" must be a positive number');
    expect(error('0 0 * * FUN')).toContain('day of week "FUN" is not a number or a name (SUN, MON, TUE, WED, THU, FRI, SAT)');
    expect(error('0 0 * 13 *')).toContain('month 13 is outside 1-12');
    expect(error('@fortnightly')).toContain('unknown descriptor @fortnightly');
    expect(error('@every 1h')).toContain('@every schedules are not supported');
  });
});
