export { clickhouseFromEnv, createClickHouse } from './client.ts';
export type { ClickHouseEnv } from './client.ts';
export { ClickHouseError, clickhouseErrorCodes, isClickHouseError } from './errors.ts';
export type { ClickHouseErrorCode } from './errors.ts';
export { encodeCompactRows, encodeTsvRows } from './insert.ts';
export { loadMigrations } from './load-migrations.ts';
export type { Migration } from './load-migrations.ts';
export { migrate, migrationChecksum, migrationDdl } from './migrate.ts';
export type { MigrateOptions, MigrateResult } from './migrate.ts';
export type {
  ClickHouse,
  ClickHouseOptions,
  CommandArgs,
  EncodedFormat,
  InsertArgs,
  QueryArgs,
  QueryParams,
} from './types.ts';
