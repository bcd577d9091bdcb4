/**
 * The repositories write `?` for each parameter, as SQLite does; PostgreSQL numbers them
 * ($1, $2, …). A `?` inside a string literal, a quoted identifier or a comment is text, not a
 * parameter, so the conversion reads the statement as PostgreSQL would rather than replacing
 * every `?`. The shared dialect has no E'' strings or $$-quoting (SQLite has neither), so
 * those are not looked for.
 */
export function toNumberedPlaceholders(text: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  /** Copies from `i` up to and including the first `end` at or after `from`; to the end if none. */
  const copyThrough = (end: string, from: number): void => {
    const at = text.indexOf(end, from);
    const stop = at < 0 ? text.length : at + end.length;
    out += text.slice(i, stop);
    i = stop;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped one: the scan simply closes and reopens there.
      copyThrough(c, i + 1);
    } else if (c === '-' && text[i + 1] === '-') {
      copyThrough('\n', i + 2);
    } else if (c === '/' && text[i + 1] === '*') {
      copyThrough('*/', i + 2);
    } else if (c === '?') {
      n += 1;
      out += `$${n}`;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}
