// The replies README documents its read queries as SQL blocks after `<!-- name -->` markers; tests run them
// verbatim so the documentation cannot drift from the tables.
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../../services/replies/README.md', import.meta.url), 'utf8');

/** The SQL block after the marker (built from parts: vite's parser reads the opener in a regex literal as a comment). */
export function readmeSql(name: string): string | undefined {
  const marker = '<' + '!-- ' + name + ' -->';
  return new RegExp(marker + '\\s*```sql\\n([\\s\\S]*?)```').exec(readme)?.[1];
}
