// Migrations are numbered files beside the service that owns them: `0001_create_events.sql`, … .
// A file in the folder that ends in .sql but does not follow the pattern is an error, not skipped,
// so a typo cannot silently leave a table out.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClickHouseError } from './errors.ts';

export interface Migration {
  version: number;
  name: string;
  /** May hold several statements separated by `;`. `{db}` stands for the database. */
  sql: string;
}

const fileNamePattern = /^(\d{4,})_([A-Za-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files from a folder (path or file: URL), sorted by version. */
export async function loadMigrations(dir: string | URL): Promise<Migration[]> {
  const folder = dir instanceof URL || dir.startsWith('file:') ? fileURLToPath(dir) : dir;
  const files = (await readdir(folder)).filter((file) => file.endsWith('.sql'));
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileNamePattern.exec(file);
    if (!match) {
      throw new ClickHouseError(
        'CLICKHOUSE_BAD_INPUT',
        `Migration file ${file} in ${folder} is not named NNNN_name.sql (digits, "_", letters, digits, "_")`,
      );
    }
    const sql = await readFile(join(folder, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2] as string, sql });
  }
  return migrations.sort((a, b) => a.version - b.version);
}
