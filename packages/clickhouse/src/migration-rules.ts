// Several processes may run the same migrations at once against one server (each split service migrates
// at start). There is no lock; instead every statement must be safe to run twice. These checks catch the
// common slips before anything runs; statements they cannot judge (INSERT … SELECT, RENAME) are trusted.

const rules: { pattern: RegExp; problem: string }[] = [
  {
    pattern: /^CREATE\s+(?!OR\s+REPLACE\b)(?![\s\S]*\bIF\s+NOT\s+EXISTS\b)/i,
    problem: 'CREATE without IF NOT EXISTS',
  },
  { pattern: /^DROP\s+(?![\s\S]*\bIF\s+EXISTS\b)/i, problem: 'DROP without IF EXISTS' },
  {
    pattern:
      /^ALTER\s[\s\S]*\bADD\s+(COLUMN|INDEX|PROJECTION|CONSTRAINT|STATISTICS)\s+(?!IF\s+NOT\s+EXISTS\b)/i,
    problem: 'ALTER … ADD without IF NOT EXISTS',
  },
  {
    pattern:
      /^ALTER\s[\s\S]*\b(DROP|CLEAR|RENAME)\s+(COLUMN|INDEX|PROJECTION|CONSTRAINT|STATISTICS)\s+(?!IF\s+EXISTS\b)/i,
    problem: 'ALTER … DROP/CLEAR/RENAME without IF EXISTS',
  },
];

/** Why `statement` is not safe to run twice, or undefined when it looks idempotent. */
export function nonIdempotentReason(statement: string): string | undefined {
  const normalized = statement.trim();
  return rules.find((rule) => rule.pattern.test(normalized))?.problem;
}
