/**
 * Parses the agreement, which clinics write in a small subset of Markdown: headings, "- "
 * lists with indented continuation lines, **bold**, paragraphs. Anything else is plain text.
 * Pure, so it is unit-tested in Node.
 */

export type Block = { kind: 'heading'; text: string } | { kind: 'para'; text: string } | { kind: 'list'; items: string[] };

export function parseAgreementBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: string[] | null = null;
  const flushPara = () => {
    if (para.length) blocks.push({ kind: 'para', text: para.join(' ') });
    para = [];
  };
  const flushList = () => {
    if (list?.length) blocks.push({ kind: 'list', items: list });
    list = null;
  };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (!line.trim()) {
      flushPara();
      flushList();
    } else if (heading) {
      flushPara();
      flushList();
      blocks.push({ kind: 'heading', text: heading[1] ?? '' });
    } else if (item) {
      flushPara();
      (list ??= []).push(item[1] ?? '');
    } else if (list && /^\s+/.test(raw)) {
      // An indented line continues the current list item.
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return blocks;
}

/** Splits a line into plain and **bold** runs. */
export function inlineRuns(text: string): { text: string; bold: boolean }[] {
  return text
    .split(/(\*\*[^*]+\*\*)/g)
    .filter((part) => part !== '')
    .map((part) =>
      part.startsWith('**') && part.endsWith('**') && part.length > 4
        ? { text: part.slice(2, -2), bold: true }
        : { text: part, bold: false },
    );
}
