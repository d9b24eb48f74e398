import { describe, expect, it } from 'vitest';
import { ClickHouseError } from './errors.ts';
import { assertDedupToken, assertIdentifier, qualifiedTable } from './identifiers.ts';
import { insertTarget } from './insert.ts';

const badInput = expect.objectContaining({ code: 'CLICKHOUSE_BAD_INPUT', retry: false });

describe('identifiers', () => {
  it('accepts plain identifiers and qualifies tables with the database', () => {
    expect(assertIdentifier('events_v2')).toBe('events_v2');
    expect(assertIdentifier('_x')).toBe('_x');
    expect(qualifiedTable('wapipe', 'message_status')).toBe('wapipe.message_status');
  });

  it.each(['', '1abc', 'a-b', 'a.b', 'a b', 'x;DROP TABLE y', 'a`b', "a'b", 'ä', 'a'.repeat(201)])(
    'refuses %j as an identifier before anything is sent',
    (name) => {
      expect(() => assertIdentifier(name)).toThrow(ClickHouseError);
      expect(() => qualifiedTable('db', name)).toThrow(badInput);
      expect(() => qualifiedTable(name, 't')).toThrow(badInput);
    },
  );

  it('accepts dedup tokens made of letters, digits and : _ . -', () => {
    expect(assertDedupToken('wapipe.events:3:1200-1299_a')).toBe('wapipe.events:3:1200-1299_a');
    expect(assertDedupToken('x'.repeat(200))).toHaveLength(200);
  });

  it.each(['', "a'b", 'a\\b', 'a b', 'a;b', 'x'.repeat(201), 'é', 'a\nb'])(
    'refuses %j as a dedup token',
    (token) => {
      expect(() => assertDedupToken(token)).toThrow(badInput);
    },
  );

  it('puts the dedup token into the statement, not into connection settings', () => {
    expect(insertTarget('db', 'events')).toBe('db.events SETTINGS async_insert = 0');
    expect(insertTarget('db', 'events', 'p3:o42')).toMatch(
      /^db\.events SETTINGS async_insert = 0, .*insert_deduplication_token = 'p3:o42'$/,
    );
    expect(insertTarget('db', 'events', 'p3:o42')).toContain(
      'deduplicate_blocks_in_dependent_materialized_views = 1',
    );
    expect(insertTarget('db', 'events', 'p3:o42', false)).toContain(
      'deduplicate_blocks_in_dependent_materialized_views = 0',
    );
  });
});
