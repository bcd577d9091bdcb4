/**
 * The group keys one person holds in an end-to-end encrypted call (issue 19), by epoch: the
 * newest and the one before (as the frame worker keeps them), handed to the frame worker as
 * they come, and used here, on the page's own thread, to seal and open private messages.
 *
 * A private message is `nacl.secretbox` under a key made for messages alone from the group
 * key (SHA-512 over a label and the key, first 32 bytes), so a message key and a frame key
 * are never the same. What is sealed names who it is from and to, and opening checks both
 * against the envelope the server delivered: the server can neither read a message nor pass
 * one off as from someone else or as meant for someone else.
 */
import nacl from 'tweetnacl';
import type { SealedMessage } from '../../shared/protocol';
import { fromBase64url, toBase64url } from './base64url';

/** Epochs kept: the newest and the one before it, so a change drops nothing in flight. */
const KEPT_EPOCHS = 2;
const MESSAGE_LABEL = new TextEncoder().encode('confidant private messages\n');

/** Where the group keys go besides messages: the frame worker (FrameCipher). */
export interface KeySink {
  setKey(epoch: number, raw: Uint8Array): Promise<void>;
  forget(): void;
}

interface Sealed {
  f: string;
  t: string;
  m: string;
}

export class GroupKeys {
  private readonly messageKeys = new Map<number, Uint8Array>();
  private newest: number | undefined;
  /** The key changes given so far, applied one after another. */
  private changes: Promise<void> = Promise.resolve();
  /** Counts `forget`s, so a key given before one is not taken after it. */
  private generation = 0;

  constructor(private readonly sink?: KeySink) {}

  /** The epoch sealed under now, if there is a key. */
  get epoch(): number | undefined {
    return this.newest;
  }

  get hasKey(): boolean {
    return this.newest !== undefined;
  }

  /**
   * A group key of `epoch`: sealed under from now on, here and in the frame worker. Keys take
   * effect in the order given, though deriving a message key takes a moment; one given before
   * a `forget` is not taken at all.
   */
  async set(epoch: number, raw: Uint8Array): Promise<void> {
    const copy = raw.slice();
    const generation = this.generation;
    const turn = this.changes.then(() => this.take(generation, epoch, copy));
    this.changes = turn.catch(() => undefined);
    // Resolves once the frame worker has it too.
    await turn;
  }

  private async take(generation: number, epoch: number, raw: Uint8Array): Promise<void> {
    const message = new Uint8Array(MESSAGE_LABEL.byteLength + raw.byteLength);
    message.set(MESSAGE_LABEL, 0);
    message.set(raw, MESSAGE_LABEL.byteLength);
    // SHA-512 is the platform's (the same bytes as tweetnacl's `hash`, which in plain script
    // held a newcomer's page ~15 ms as it was let in).
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-512', message));
    message.fill(0);
    if (generation !== this.generation) return;
    // A key seen again under the same epoch (a new holder wrapped around) replaces the old one.
    this.messageKeys.delete(epoch);
    this.messageKeys.set(epoch, digest.slice(0, nacl.secretbox.keyLength));
    digest.fill(0);
    this.newest = epoch;
    while (this.messageKeys.size > KEPT_EPOCHS) this.messageKeys.delete(this.messageKeys.keys().next().value!);
    await this.sink?.setKey(epoch, raw);
  }

  /** Out of the group: no key is kept, here or in the frame worker, nor any still being set. */
  forget(): void {
    this.generation++;
    for (const key of this.messageKeys.values()) key.fill(0);
    this.messageKeys.clear();
    this.newest = undefined;
    this.sink?.forget();
  }

  /** `text` from `from` to `to`, sealed under the newest key; undefined without a key. */
  seal(from: string, to: string, text: string): SealedMessage | undefined {
    const epoch = this.newest;
    const key = epoch === undefined ? undefined : this.messageKeys.get(epoch);
    if (epoch === undefined || !key) return undefined;
    const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
    const plain = new TextEncoder().encode(JSON.stringify({ f: from, t: to, m: text } satisfies Sealed));
    return { epoch, nonce: toBase64url(nonce), box: toBase64url(nacl.secretbox(plain, nonce, key)) };
  }

  /** The text of a sealed message, if it opens under a key held here and is from `from` to `to`. */
  open(sealed: SealedMessage, from: string, to: string): string | undefined {
    const key = this.messageKeys.get(sealed.epoch);
    const nonce = fromBase64url(sealed.nonce, nacl.secretbox.nonceLength);
    const box = fromBase64url(sealed.box);
    if (!key || !nonce || !box) return undefined;
    const plain = nacl.secretbox.open(box, nonce, key);
    if (!plain) return undefined;
    try {
      const body = JSON.parse(new TextDecoder().decode(plain)) as Partial<Sealed>;
      return body.f === from && body.t === to && typeof body.m === 'string' ? body.m : undefined;
    } catch {
      return undefined;
    }
  }
}
