/**
 * The full-text index: normalised words → note ids, in main's memory only, built once after
 * unlock from the decrypted notes and updated on every save. Nothing of it reaches disk.
 */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export class SearchIndex {
  private readonly postings = new Map<string, Set<string>>();
  private readonly wordsOf = new Map<string, Set<string>>();

  /** Replaces what is indexed for one note. */
  set(id: string, texts: Iterable<string>): void {
    this.remove(id);
    const words = new Set<string>();
    for (const t of texts) for (const w of tokenize(t)) words.add(w);
    this.wordsOf.set(id, words);
    for (const w of words) {
      let ids = this.postings.get(w);
      if (!ids) this.postings.set(w, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: string): void {
    const words = this.wordsOf.get(id);
    if (!words) return;
    for (const w of words) {
      const ids = this.postings.get(w);
      ids?.delete(id);
      if (ids && ids.size === 0) this.postings.delete(w);
    }
    this.wordsOf.delete(id);
  }

  /** Notes containing every word of the query; the last word also matches as a prefix (typing). */
  search(query: string): Set<string> {
    const words = tokenize(query);
    if (words.length === 0) return new Set(this.wordsOf.keys());
    let result: Set<string> | null = null;
    words.forEach((w, i) => {
      const hits = new Set<string>(this.postings.get(w) ?? []);
      if (i === words.length - 1) {
        for (const [word, ids] of this.postings) if (word.startsWith(w)) for (const id of ids) hits.add(id);
      }
      result = result === null ? hits : new Set([...result].filter((id) => hits.has(id)));
    });
    return result ?? new Set();
  }
}

/** The texts of a note that search covers. */
export function searchableTexts(body: { title: string; clientRefs: string[]; sections: Record<string, string>; clients: { participantRef: string; text: string }[] }, addenda: { text: string }[] = []): string[] {
  return [
    body.title,
    ...body.clientRefs,
    ...Object.values(body.sections),
    ...body.clients.flatMap((c) => [c.participantRef, c.text]),
    ...addenda.map((a) => a.text),
  ];
}
