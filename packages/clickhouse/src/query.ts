// Reads come back as JSONEachRow and are parsed row by row with the caller's zod schema, so the rest of
// the code gets typed rows or a CLICKHOUSE_SCHEMA_MISMATCH, never a half-right object. Errors name the
// row index and field, never the value (rows are customer data).
import type { ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import { ClickHouseError } from './errors.ts';
import { bindParams } from './query-params.ts';
import type { CommandArgs, QueryArgs } from './types.ts';

export function parseRows<Schema extends z.ZodType>(rows: unknown[], schema: Schema): z.output<Schema>[] {
  const parsed: z.output<Schema>[] = [];
  for (const [index, row] of rows.entries()) {
    const result = schema.safeParse(row);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(row)';
      throw new ClickHouseError(
        'CLICKHOUSE_SCHEMA_MISMATCH',
        `Result row ${index} does not match the schema at ${where}: ${issue?.message ?? 'invalid'}`,
        { retry: false },
      );
    }
    parsed.push(result.data);
  }
  return parsed;
}

export async function selectRows<Schema extends z.ZodType>(
  client: ClickHouseClient,
  args: QueryArgs<Schema>,
): Promise<z.output<Schema>[]> {
  const resultSet = await client.query({
    query: args.query,
    query_params: bindParams(args.query, args.params),
    format: 'JSONEachRow',
  });
  return parseRows(await resultSet.json<unknown>(), args.schema);
}

export async function runCommand(client: ClickHouseClient, args: CommandArgs): Promise<void> {
  await client.command({ query: args.query, query_params: bindParams(args.query, args.params) });
}
