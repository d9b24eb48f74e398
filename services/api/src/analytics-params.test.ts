import { describe, expect, it } from 'vitest';
import { HttpError } from '@wapipe/http';
import {
  analyticsStatsQuery,
  calendarBuckets,
  decodeGroupCursor,
  encodeGroupCursor,
} from './analytics-params.ts';
import { toCsv } from './csv.ts';
import { parseQuery } from './params.ts';

const url = (query: string) => `http://api.test/v1/stats?${query}`;
const iso = (dates: Date[]) => dates.map((d) => d.toISOString().slice(0, 10));

describe('calendar buckets', () => {
  it('weeks start on Monday in UTC, whatever day the range starts', () => {
    // 2026-11-29 is a Sunday: its week began on Monday 2026-11-23.
    const weeks = calendarBuckets(new Date('2026-11-29T23:30:00Z'), new Date('2026-12-08T00:00:00Z'), 'week');
    expect(iso(weeks)).toEqual(['2026-11-23', '2026-11-30', '2026-12-07']);
  });

  it('months start on the 1st and have their own lengths', () => {
    const months = calendarBuckets(
      new Date('2026-01-31T12:00:00Z'),
      new Date('2026-04-01T00:00:00Z'),
      'month',
    );
    expect(iso(months)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
  });
});

describe('GET /v1/stats parameters', () => {
  it('a filter takes one value or a comma list, an empty value meaning unknown', () => {
    const q = parseQuery(
      analyticsStatsQuery,
      url('from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&country=BR,IN&category=&groupBy=campaign'),
    );
    expect(q.filters).toEqual({ country: ['BR', 'IN'], category: [''] });
    expect(q.groupBy).toBe('campaign');
  });

  it('a 31-day limit holds for minute and hour, 400 days for day, week and month', () => {
    const refusal = (query: string) => {
      try {
        parseQuery(analyticsStatsQuery, url(query));
        return 'accepted';
      } catch (error) {
        return error instanceof HttpError ? `${error.status} ${error.message.split(':')[0]}` : 'threw';
      }
    };
    expect(refusal('from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z&interval=hour')).toBe('accepted');
    expect(refusal('from=2026-10-01T00:00:00Z&to=2026-11-02T00:00:00Z&interval=hour')).toBe('400 interval');
    expect(refusal('from=2025-09-01T00:00:00Z&to=2026-11-02T00:00:00Z&interval=week')).toBe('400 interval');
    expect(refusal('from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z&interval=day')).toBe('400 from');
    expect(refusal('from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&groupBy=provider')).toBe('400 groupBy');
  });

  it('buckets is true by default, false on request, and anything else is refused naming it', () => {
    const range = 'from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z';
    expect(parseQuery(analyticsStatsQuery, url(range)).buckets).toBe(true);
    expect(parseQuery(analyticsStatsQuery, url(`${range}&buckets=true`)).buckets).toBe(true);
    expect(parseQuery(analyticsStatsQuery, url(`${range}&buckets=false`)).buckets).toBe(false);
    for (const bad of ['0', 'no', 'False', '']) {
      expect(() => parseQuery(analyticsStatsQuery, url(`${range}&buckets=${bad}`))).toThrow(
        'buckets: expected true or false',
      );
    }
  });

  it('a group cursor round-trips and an edited one is refused', () => {
    expect(decodeGroupCursor(encodeGroupCursor({ sent: 42, key: 'spring' }))).toEqual({
      sent: 42,
      key: 'spring',
    });
    expect(() => decodeGroupCursor(Buffer.from('[1,"x","k"]').toString('base64url'))).toThrow(HttpError);
  });
});

describe('CSV', () => {
  it('quotes separators and defuses spreadsheet formulas in cells', () => {
    expect(
      toCsv(
        ['key', 'n'],
        [
          ['a,b', 1],
          ['=HYPERLINK("x")', 2],
          [null, 3],
        ],
      ),
    ).toBe('key,n\r\n"a,b",1\r\n"\'=HYPERLINK(""x"")",2\r\n,3\r\n');
  });
});
