// Everything the commands print: readable tables on a terminal, `--json` (the API's own answer) and
// `--csv` for scripts. Colour only on a terminal that has it, and never with NO_COLOR.
import type { Writable } from 'node:stream';

export type OutputFormat = 'table' | 'json' | 'csv';

export function colourEnabled(stream: NodeJS.WriteStream | Writable): boolean {
  const noColor = process.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const tty = stream as NodeJS.WriteStream;
  return tty.isTTY === true && (typeof tty.hasColors !== 'function' || tty.hasColors());
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
export type Style = keyof typeof CODES;

export function painter(stream: NodeJS.WriteStream | Writable) {
  const on = colourEnabled(stream);
  return (style: Style, text: string) => (on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
}

export const paintOut = painter(process.stdout);
export const paintErr = painter(process.stderr);

export const say = (line = '') => process.stdout.write(`${line}\n`);
export const note = (line: string) => process.stderr.write(`${line}\n`);

export interface Column<Row> {
  header: string;
  value(row: Row): unknown;
}

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

function csvCell(value: unknown): string {
  const text = cell(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return lines.join('\n') + '\n';
}

export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const header = paintOut('bold', line(columns.map((c) => c.header)));
  return [header, ...cells.map(line)].join('\n') + '\n';
}

/** Prints rows as the chosen format; `--json` prints `json` (the API's answer) rather than the rows. */
export function printRows<Row>(
  format: OutputFormat,
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  json: unknown,
  empty = '(none)',
): void {
  if (format === 'json') process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  else if (format === 'csv') process.stdout.write(renderCsv(rows, columns));
  else if (rows.length === 0) say(paintOut('dim', empty));
  else process.stdout.write(renderTable(rows, columns));
}
