/**
 * The full-text index: normalised words → notes, in main's memory, decrypted only there.
 *
 * Two layers, so that opening a vault does not mean decrypting and tokenizing every note:
 * - the *base*: what the last snapshot held (indexSnapshot.ts seals it in the vault). Words
 *   are sorted and cut into chunks; each chunk's postings are opened only when a search
 *   touches a word in its range, and decoded only for the words the search needs.
 * - the *overlay*: notes saved since that snapshot. Their base postings are ignored (the note
 *   is "stale" in the base) and their current words live here.
 * Notes are numbered (integers, stable for the life of a snapshot lineage) so postings are
 * compact. A save only records the note's texts; they are tokenized at the next search or
 * snapshot, which keeps tokenizing (the slowest step) off the autosave path. The base's bytes
 * are indexChunks.ts's.
 */
import {
  addPostings,
  allPostings,
  bitsToNumbers,
  CHUNK_TARGET_BYTES,
  decodeChunk,
  encodeChunk,
  encodePostings,
  lowerBound,
  upperBound,
  type Chunk,
} from './indexChunks';

export { IndexFormatError } from './indexChunks';

/** Splits text into searchable words: NFKD, accents dropped, lower case, letters and digits. */
export function tokenize(text: string): string[] {
  // ASCII text (most of it) has nothing for NFKD or mark stripping to do; a char-code scan is
  // about ten times faster than the Unicode regex below and gives the same words.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) {
    const out: string[] = [];
    const lower = text.toLowerCase();
    let start = -1;
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 32;
      const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
      if (word && start < 0) start = i;
      else if (!word && start >= 0) {
        out.push(lower.slice(start, i));
        start = -1;
      }
    }
    return out;
  }
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
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

/** What a snapshot of the index holds: note numbering and the sorted, chunked postings. */
export interface IndexSnapshot {
  /** Note id by number; '' for a number whose note is no longer indexed (numbers are never reused). */
  ids: string[];
  /** Each chunk's first term, ascending. */
  firstTerms: string[];
  chunks: Uint8Array[];
}

export interface IndexBase {
  ids: string[];
  firstTerms: string[];
  /** The snapshot itself when it is in memory (just written): returned as is while nothing changed. */
  source?: IndexSnapshot;
  /** Opens chunk `i` (sealed in the vault); throws if it is damaged or missing. */
  loadChunk: (i: number) => Uint8Array;
}

export class SearchIndex {
  private readonly ids: string[] = [];
  private readonly numbers = new Map<string, number>();
  /** Note numbers below this were numbered by the base snapshot. */
  private readonly baseCount: number;
  private readonly firstTerms: string[];
  private readonly chunks: (Chunk | null)[];
  private readonly loadChunk: (i: number) => Uint8Array;
  private readonly source: IndexSnapshot | undefined;
  /** Base notes whose base postings no longer apply (saved or removed since the snapshot). */
  private readonly stale = new Set<number>();
  /** Notes with words in the index (base notes not removed, overlay notes). */
  private readonly indexed = new Set<number>();
  private readonly overlay = new Map<string, Set<number>>();
  private readonly overlayWords = new Map<number, string[]>();
  /** Texts saved but not tokenized yet, by note number. */
  private readonly pending = new Map<number, readonly string[]>();

  constructor(base?: IndexBase) {
    this.baseCount = base?.ids.length ?? 0;
    this.firstTerms = base?.firstTerms ?? [];
    this.chunks = this.firstTerms.map(() => null);
    this.loadChunk = base?.loadChunk ?? (() => new Uint8Array(0));
    this.source = base?.source;
    for (const id of base?.ids ?? []) {
      if (id !== '') {
        this.numbers.set(id, this.ids.length);
        this.indexed.add(this.ids.length);
      }
      this.ids.push(id);
    }
  }

  private numberOf(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.numbers.set(id, n);
    }
    return n;
  }

  /** Replaces what is indexed for one note (tokenized lazily, at the next search or snapshot). */
  set(id: string, texts: readonly string[]): void {
    this.pending.set(this.numberOf(id), texts);
  }

  remove(id: string): void {
    const n = this.numbers.get(id);
    if (n === undefined) return;
    this.pending.delete(n);
    this.dropWords(n);
  }

  /** How many notes changed since the base (saved, removed or waiting to be tokenized). */
  get changedSinceBase(): number {
    if (this.overlayWords.size === 0 && this.pending.size === 0) return this.stale.size;
    return new Set([...this.stale, ...this.overlayWords.keys(), ...this.pending.keys()]).size;
  }

  private dropWords(n: number): void {
    if (n < this.baseCount) this.stale.add(n);
    this.indexed.delete(n);
    const words = this.overlayWords.get(n);
    if (!words) return;
    for (const w of words) {
      const docs = this.overlay.get(w);
      docs?.delete(n);
      if (docs && docs.size === 0) this.overlay.delete(w);
    }
    this.overlayWords.delete(n);
  }

  private flush(): void {
    for (const [n, texts] of this.pending) {
      this.dropWords(n);
      const words = new Set<string>();
      for (const t of texts) for (const w of tokenize(t)) words.add(w);
      const list = [...words];
      this.overlayWords.set(n, list);
      for (const w of list) {
        let docs = this.overlay.get(w);
        if (!docs) this.overlay.set(w, (docs = new Set()));
        docs.add(n);
      }
      this.indexed.add(n);
    }
    this.pending.clear();
  }

  private chunk(i: number): Chunk {
    let c = this.chunks[i];
    if (!c) this.chunks[i] = c = decodeChunk(this.loadChunk(i));
    return c;
  }

  /** Base postings of `word` (or of every word starting with it) into `bits`. */
  private addBase(word: string, prefix: boolean, bits: Uint32Array): void {
    if (this.firstTerms.length === 0) return;
    // The chunk that would hold `word` is the last whose first term is not after it; words
    // it prefixes may run on into the chunks after that one.
    const start = Math.max(0, upperBound(this.firstTerms, word) - 1);
    for (let c = start; c < this.firstTerms.length; c++) {
      if (c > start && !(prefix && this.firstTerms[c]!.startsWith(word))) break;
      const chunk = this.chunk(c);
      for (let t = lowerBound(chunk.terms, word); t < chunk.terms.length; t++) {
        const term = chunk.terms[t]!;
        if (prefix ? !term.startsWith(word) : term !== word) break;
        addPostings(chunk, t, bits);
      }
      if (!prefix) break;
    }
  }

  /** Notes containing every word of the query; the last word also matches as a prefix (typing). */
  search(query: string): Set<string> {
    this.flush();
    const words = tokenize(query);
    if (words.length === 0) return new Set([...this.indexed].map((n) => this.ids[n]!));
    const size = Math.ceil(this.ids.length / 32);
    let result: Uint32Array | null = null;
    words.forEach((w, i) => {
      const prefix = i === words.length - 1;
      const bits = new Uint32Array(size);
      this.addBase(w, prefix, bits);
      for (const n of this.stale) bits[n >> 5]! &= ~(1 << (n & 31));
      if (prefix) {
        for (const [word, docs] of this.overlay) if (word.startsWith(w)) for (const n of docs) bits[n >> 5]! |= 1 << (n & 31);
      } else {
        for (const n of this.overlay.get(w) ?? []) bits[n >> 5]! |= 1 << (n & 31);
      }
      if (result) for (let k = 0; k < size; k++) result[k]! &= bits[k]!;
      else result = bits;
    });
    return new Set(bitsToNumbers(result ?? new Uint32Array(0)).map((n) => this.ids[n]!));
  }

  /**
   * Everything the index holds, compacted into a new base: every chunk opened, stale base
   * postings dropped, the overlay and pending texts merged in; the index itself is left as it
   * was. Note numbers are kept (they are cheap and stay
   * stable, so later saves of the same note reuse theirs). `chunkBytes`: tests cut small chunks.
   */
  snapshot(chunkBytes = CHUNK_TARGET_BYTES): IndexSnapshot {
    if (this.source && this.changedSinceBase === 0 && chunkBytes === CHUNK_TARGET_BYTES) return this.source;
    // Pending texts go straight into plain arrays (no flush into the overlay's sets): this is
    // also how a full rebuild is built, so it must be quick for 10,000 notes. A note's words
    // arrive together, so a repeat within one note is the list's last element.
    const docCount = this.ids.length;
    const merged = new Map<string, number[]>();
    const unsorted = new Set<number[]>();
    const add = (term: string, n: number) => {
      const list = merged.get(term);
      if (!list) merged.set(term, [n]);
      else if (list[list.length - 1] !== n) {
        if (list[list.length - 1]! > n) unsorted.add(list);
        list.push(n);
      }
    };
    const replaced = (n: number) => this.stale.has(n) || this.pending.has(n);
    for (let c = 0; c < this.firstTerms.length; c++) {
      const chunk = this.chunk(c);
      const lists = allPostings(chunk, this.baseCount);
      chunk.terms.forEach((term, t) => {
        const live = this.stale.size || this.pending.size ? lists[t]!.filter((n) => !replaced(n)) : lists[t]!;
        if (live.length) merged.set(term, live);
      });
    }
    for (const [term, docs] of this.overlay) for (const n of docs) if (!this.pending.has(n)) add(term, n);
    for (const [n, texts] of this.pending) for (const text of texts) for (const w of tokenize(text)) add(w, n);
    for (const list of unsorted) list.sort((a, b) => a - b);
    const terms = [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const live = (n: number) => this.indexed.has(n) || this.pending.has(n);
    const snapshot: IndexSnapshot = { ids: this.ids.map((id, n) => (live(n) ? id : '')), firstTerms: [], chunks: [] };
    let chunkTerms: string[] = [];
    let chunkPostings: number[][] = [];
    let bytes = 0;
    const cut = () => {
      if (!chunkTerms.length) return;
      snapshot.firstTerms.push(chunkTerms[0]!);
      snapshot.chunks.push(encodeChunk(chunkTerms, chunkPostings));
      chunkTerms = [];
      chunkPostings = [];
      bytes = 0;
    };
    for (const term of terms) {
      const p = encodePostings(merged.get(term)!, docCount);
      chunkTerms.push(term);
      chunkPostings.push(p);
      bytes += p.length + term.length + 5;
      if (bytes >= chunkBytes) cut();
    }
    cut();
    return snapshot;
  }

  /** The notes whose words are in the index (after pending saves are applied). */
  indexedIds(): Set<string> {
    this.flush();
    return new Set([...this.indexed].map((n) => this.ids[n]!));
  }
}
