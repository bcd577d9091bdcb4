/**
 * Random nonces cut from a pool that the platform's CSPRNG (`crypto.getRandomValues`, in Node
 * and browsers alike) fills `perFill` at a time. Asking the system for a dozen or two bytes
 * costs about as much as asking for a few kilobytes, and sealing is on hot paths (every note
 * save seals two blobs; every check-in a name or two). Each nonce is handed out once, as a
 * copy. Nonces are stored in the clear beside their ciphertext anyway, so holding the pool in
 * memory reveals nothing.
 */
export function noncePool(nonceBytes: number, perFill = 256): () => Uint8Array {
  const pool = new Uint8Array(nonceBytes * perFill);
  let used = pool.length;
  return () => {
    if (used === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      used = 0;
    }
    const nonce = pool.slice(used, used + nonceBytes);
    used += nonceBytes;
    return nonce;
  };
}
