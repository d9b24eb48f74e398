import { describe, expect, it } from 'vitest';
import { encodeCompactRows, encodeTsvRows } from './insert.ts';

describe('encodeCompactRows', () => {
  it('writes a header of every key, then values in header order', () => {
    const text = encodeCompactRows([{ a: 1, b: 'x' }, { b: 'y', a: 2, c: null }, { a: 3 }]);
    expect(text.split('\n')).toEqual(['["a","b","c"]', '[1,"x",null]', '[2,"y",null]', '[3,null,null]']);
  });

  it('is empty for no rows', () => {
    expect(encodeCompactRows([])).toBe('');
  });
});

describe('encodeTsvRows', () => {
  it('escapes backslashes, newlines, tabs and carriage returns, and writes null as \\N', () => {
    const text = encodeTsvRows([{ a: 'x\\y\nz\tw\rv', b: 2, c: null }]);
    expect(text).toBe('a\tb\tc\nx\\\\y\\nz\\tw\\rv\t2\t\\N');
  });
});
