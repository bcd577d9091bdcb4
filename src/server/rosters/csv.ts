/**
 * Rosters and breach reports as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or
 * a line break, quotes doubled). A client chooses their own display name, so any cell that
 * a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
 * return) is prefixed with an apostrophe: opening an export must never run what a client typed.
 */
import { ROSTER_CSV_COLUMNS, type RosterEntry } from '../../shared/protocol.js';

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function rosterCsv(entries: readonly RosterEntry[]): string {
  return csvOf(
    ROSTER_CSV_COLUMNS,
    entries.map((e) => ROSTER_CSV_COLUMNS.map((c) => e[c])),
  );
}

/** Rows of cells as CSV (RFC 4180, CRLF, formulas defused), with a header row. */
export function csvOf(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
