import { describe, expect, it } from 'vitest';
import { bindParams, placeholderTypes } from './query-params.ts';

describe('bindParams', () => {
  it('reads the declared placeholder types', () => {
    const types = placeholderTypes("SELECT {a:String}, {at: DateTime64(3, 'UTC')}, {xs:Array(UInt8)}");
    expect(Object.fromEntries(types)).toEqual({
      a: 'String',
      at: "DateTime64(3, 'UTC')",
      xs: 'Array(UInt8)',
    });
  });

  it('keeps milliseconds of a Date bound to a DateTime64 placeholder', () => {
    const at = new Date('2024-05-06T07:08:09.045Z');
    expect(bindParams("SELECT {at:DateTime64(3, 'UTC')}", { at })).toEqual({ at: '1714979289.045' });
    expect(bindParams('SELECT {at:Nullable(DateTime64(3))}', { at })).toEqual({ at: '1714979289.045' });
  });

  it('leaves other values and other Date placeholders to the driver', () => {
    const at = new Date('2024-05-06T07:08:09.045Z');
    expect(bindParams("SELECT {at:DateTime('UTC')}, {s:String}", { at, s: 'x' })).toEqual({ at, s: 'x' });
    expect(bindParams('SELECT 1', undefined)).toBeUndefined();
    expect(bindParams('SELECT 1', {})).toBeUndefined();
  });
});
