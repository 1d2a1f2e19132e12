import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('checks nothing while a stream runs', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'a'].map((id) => ids.isRepeat(id))).toEqual([false, false, false]);
    expect(ids.checking).toBe(false);
  });

  it('after a resume, drops the ids remembered before it, within the capacity', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) ids.isRepeat(id); // a is forgotten
    ids.resume();
    expect(ids.checking).toBe(true);
    expect(['c', 'd', 'a', 'e', 'b'].map((id) => ids.isRepeat(id))).toEqual([true, true, false, false, true]);
    expect(ids.checking).toBe(true);
    expect(ids.isRepeat('f')).toBe(false);
    expect(ids.checking).toBe(false); // three new ids since the resume: the check is over
    expect(ids.isRepeat('d')).toBe(false);
  });

  it('a second resume includes the ids seen since the first', () => {
    const ids = new RecentIds(10);
    ids.isRepeat('a');
    ids.resume();
    expect(ids.isRepeat('b')).toBe(false);
    ids.resume();
    expect([ids.isRepeat('a'), ids.isRepeat('b'), ids.isRepeat('c')]).toEqual([true, true, false]);
  });
});
