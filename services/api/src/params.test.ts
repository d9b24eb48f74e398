import { describe, expect, it } from 'vitest';
import { HttpError } from '@wapipe/http';
import { bucketStarts, pagedRangeQuery, parseQuery, rangeQuery, statsQuery } from './params.ts';

const now = new Date('2026-11-29T12:00:00.000Z');
const url = (query: string) => `http://api.test/x?${query}`;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return `${error.status} ${error.code} ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('time ranges', () => {
  it('default to the 24 hours before now, or before `to`', () => {
    expect(
      parseQuery(
        rangeQuery(() => now),
        url(''),
      ),
    ).toEqual({
      from: new Date('2026-11-28T12:00:00.000Z'),
      to: now,
    });
    expect(
      parseQuery(
        rangeQuery(() => now),
        url('to=2026-11-01T00:00:00Z'),
      ),
    ).toEqual({
      from: new Date('2026-10-31T00:00:00.000Z'),
      to: new Date('2026-11-01T00:00:00.000Z'),
    });
  });

  it('accept instants with Z or an offset, with or without seconds and fractions', () => {
    for (const value of [
      '2026-11-29T10:00Z',
      '2026-11-29T10:00:00Z',
      '2026-11-29T10:00:00.5Z',
      '2026-11-29T12:00:00+02:00',
    ]) {
      const { from } = parseQuery(
        rangeQuery(() => now),
        url(`from=${encodeURIComponent(value)}`),
      );
      expect(from.getTime(), value).toBe(Date.parse(value));
    }
  });

  it('refuse dates, local times, nonsense and out-of-range years, naming the parameter', () => {
    for (const value of [
      '2026-11-29',
      '2026-11-29T10:00:00',
      'yesterday',
      '1700000000',
      '2026-02-30T00:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T10:60:00Z',
      '1969-12-31T23:59:59Z',
      '2100-01-01T00:00:00Z',
      '',
    ]) {
      expect(
        refusal(() =>
          parseQuery(
            rangeQuery(() => now),
            url(`from=${encodeURIComponent(value)}`),
          ),
        ),
        value,
      ).toMatch(/^400 bad_parameter from: /);
    }
  });

  it('refuse a reversed or empty range, naming from', () => {
    expect(
      refusal(() =>
        parseQuery(
          rangeQuery(() => now),
          url('from=2026-11-29T13:00:00Z'),
        ),
      ),
    ).toBe('400 bad_parameter from: must be earlier than to');
    expect(
      refusal(() =>
        parseQuery(
          rangeQuery(() => now),
          url('from=2026-11-29T12:00:00Z&to=2026-11-29T12:00:00Z'),
        ),
      ),
    ).toMatch(/^400 bad_parameter from: /);
  });

  it('refuse a parameter given twice', () => {
    expect(
      refusal(() =>
        parseQuery(
          rangeQuery(() => now),
          url('from=2026-11-29T10:00:00Z&from=2026-11-29T11:00:00Z'),
        ),
      ),
    ).toBe('400 bad_parameter from: give it once');
  });
});

describe('paging parameters', () => {
  it('default limit to 100 and accept 1 to 1000 in plain digits', () => {
    expect(
      parseQuery(
        pagedRangeQuery(() => now),
        url(''),
      ).limit,
    ).toBe(100);
    expect(
      parseQuery(
        pagedRangeQuery(() => now),
        url('limit=1'),
      ).limit,
    ).toBe(1);
    expect(
      parseQuery(
        pagedRangeQuery(() => now),
        url('limit=1000'),
      ).limit,
    ).toBe(1000);
  });

  it('refuse any other limit, naming limit', () => {
    for (const value of ['0', '1001', '-1', '1.5', '1e3', '0x10', ' 5', 'ten', '']) {
      expect(
        refusal(() =>
          parseQuery(
            pagedRangeQuery(() => now),
            url(`limit=${encodeURIComponent(value)}`),
          ),
        ),
        value,
      ).toBe('400 bad_parameter limit: expected an integer from 1 to 1000');
    }
  });
});

describe('stats parameters', () => {
  it('require from and to, and default interval to hour', () => {
    expect(refusal(() => parseQuery(statsQuery, url('to=2026-11-29T12:00:00Z')))).toBe(
      '400 bad_parameter from: required',
    );
    expect(refusal(() => parseQuery(statsQuery, url('from=2026-11-29T12:00:00Z')))).toBe(
      '400 bad_parameter to: required',
    );
    expect(parseQuery(statsQuery, url('from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z')).interval).toBe(
      'hour',
    );
  });

  it('refuse a range of more than 10 000 buckets, naming interval', () => {
    const sixDays = 'from=2026-11-01T00:00:00Z&to=2026-11-07T00:00:00Z';
    expect(parseQuery(statsQuery, url(`${sixDays}&interval=minute`)).interval).toBe('minute');
    expect(
      refusal(() =>
        parseQuery(statsQuery, url(`from=2026-11-01T00:00:00Z&to=2026-11-08T22:41:00Z&interval=minute`)),
      ),
    ).toMatch(/^400 bad_parameter interval: the range holds more than 10000 minute buckets/);
    expect(refusal(() => parseQuery(statsQuery, url(`${sixDays}&interval=week`)))).toBe(
      '400 bad_parameter interval: expected minute, hour or day',
    );
  });
});

describe('bucketStarts', () => {
  it('covers the range rounded out to whole UTC buckets', () => {
    const starts = bucketStarts(new Date('2026-11-29T10:30:00Z'), new Date('2026-11-29T12:00:01Z'), 'hour');
    expect(starts.map((d) => d.toISOString())).toEqual([
      '2026-11-29T10:00:00.000Z',
      '2026-11-29T11:00:00.000Z',
      '2026-11-29T12:00:00.000Z',
    ]);
    expect(
      bucketStarts(new Date('2026-11-29T23:00:00+05:00'), new Date('2026-11-30T00:00:00Z'), 'day').map((d) =>
        d.toISOString(),
      ),
    ).toEqual(['2026-11-29T00:00:00.000Z']);
  });

  it('stops counting at the cap', () => {
    expect(bucketStarts(new Date(0), new Date('2099-01-01T00:00:00Z'), 'minute', 5)).toHaveLength(5);
  });
});
