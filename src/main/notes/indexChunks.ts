/**
 * The byte format of the search index's base (searchIndex.ts): sorted terms cut into chunks,
 * each with its postings, sealed one chunk per row in the snapshot (indexSnapshot.ts), and the
 * bit sets a search combines them in.
 *
 * What belongs here: encoding and decoding chunks and postings. Which notes hold which words,
 * and what a search means, is searchIndex.ts's.
 *
 * A chunk: u32 term count · u32 byte length of the terms · the terms, UTF-8, joined by '\n'
 * (tokens never contain one) · u32 offsets into the postings (count + 1) · the postings.
 * A term's postings are either tag 0, a varint count and varint gaps between ascending note
 * numbers, or tag 1, a bitmap over every note number (whichever is smaller: common words are
 * bitmaps, rare ones lists). All integers little-endian.
 */
const LIST = 0;
const BITMAP = 1;
/**
 * Postings bytes per chunk before a new chunk starts: small enough that one search opens
 * little (a word's chunk, and the next for a prefix; tweetnacl opens ~40 MB/s, so 32 KB is
 * under a millisecond where 96 KB was 2–3 ms), large enough that the head's chunk directory
 * stays short (~80 chunks for 10,000 notes of 4 KB).
 */
export const CHUNK_TARGET_BYTES = 32 * 1024;

/** The index is damaged or of another format; the vault rebuilds it from the notes. */
export class IndexFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexFormatError';
  }
}

export interface Chunk {
  terms: string[];
  offsets: Uint32Array;
  postings: Uint8Array;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeChunk(bytes: Uint8Array): Chunk {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(0, true);
    const termBytes = view.getUint32(4, true);
    const terms = count === 0 ? [] : fromUtf8.decode(bytes.subarray(8, 8 + termBytes)).split('\n');
    if (terms.length !== count) throw new Error('term count');
    const offStart = 8 + termBytes;
    const offsets = new Uint32Array(count + 1);
    for (let i = 0; i <= count; i++) offsets[i] = view.getUint32(offStart + 4 * i, true);
    const postings = bytes.subarray(offStart + 4 * (count + 1));
    if (offsets[count] !== postings.length) throw new Error('postings length');
    return { terms, offsets, postings };
  } catch (err) {
    throw new IndexFormatError(`an index chunk does not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function writeVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

export function encodePostings(docs: number[], docCount: number): number[] {
  const bitmapBytes = Math.ceil(docCount / 8);
  const list: number[] = [LIST];
  writeVarint(list, docs.length);
  let prev = -1;
  for (const d of docs) {
    writeVarint(list, d - prev - 1);
    prev = d;
    if (list.length > bitmapBytes + 1) break; // a bitmap will be smaller
  }
  if (list.length <= bitmapBytes + 1) return list;
  const bitmap = new Array<number>(bitmapBytes + 1).fill(0);
  bitmap[0] = BITMAP;
  for (const d of docs) bitmap[1 + (d >> 3)]! |= 1 << (d & 7);
  return bitmap;
}

export function encodeChunk(terms: string[], postings: number[][]): Uint8Array {
  const termBytes = utf8.encode(terms.join('\n'));
  const size = postings.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + termBytes.length + 4 * (terms.length + 1) + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, terms.length, true);
  view.setUint32(4, termBytes.length, true);
  out.set(termBytes, 8);
  let off = 8 + termBytes.length;
  let at = off + 4 * (terms.length + 1);
  let rel = 0;
  for (let i = 0; i < postings.length; i++) {
    view.setUint32(off, rel, true);
    off += 4;
    out.set(postings[i]!, at);
    at += postings[i]!.length;
    rel += postings[i]!.length;
  }
  view.setUint32(off, rel, true);
  return out;
}

/** ORs a term's base postings into `bits` (one bit per note number). */
export function addPostings(chunk: Chunk, t: number, bits: Uint32Array): void {
  const p = chunk.postings;
  let i = chunk.offsets[t]!;
  const end = chunk.offsets[t + 1]!;
  if (i >= end) throw new IndexFormatError('empty postings');
  const tag = p[i++]!;
  if (tag === BITMAP) {
    for (let b = 0; i < end; i++, b++) if (p[i] !== 0) bits[b >> 2]! |= p[i]! << ((b & 3) * 8);
    return;
  }
  if (tag !== LIST) throw new IndexFormatError('unknown postings tag');
  const read = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (i >= end) throw new IndexFormatError('truncated postings');
      const byte = p[i++]!;
      n += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return n;
      shift += 7;
    }
  };
  const count = read();
  let d = -1;
  for (let k = 0; k < count; k++) {
    d += read() + 1;
    if (d >= bits.length * 32) throw new IndexFormatError('a posting names no note');
    bits[d >> 5]! |= 1 << (d & 31);
  }
}

/** The postings of every term in a chunk, as note numbers (for writing a new snapshot). */
export function allPostings(chunk: Chunk, docCount: number): number[][] {
  const bits = new Uint32Array(Math.ceil(docCount / 32));
  return chunk.terms.map((_, t) => {
    bits.fill(0);
    addPostings(chunk, t, bits);
    return bitsToNumbers(bits);
  });
}

export function bitsToNumbers(bits: Uint32Array): number[] {
  const out: number[] = [];
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const low = word & -word;
      out.push(w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
  return out;
}

/** The first index of a sorted array whose element is >= `key`. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of a sorted array whose element is > `key`. */
export function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
