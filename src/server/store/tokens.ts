/** Bearer tokens, stored only as SHA-256 digests, with their expiry and last use. */
import type { Database } from 'better-sqlite3';

export interface TokenRecord {
  clinicianId: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string;
  revoked: boolean;
}

export interface TokenRepo {
  insert(tokenHash: string, clinicianId: string, createdAt: Date, expiresAt: Date): void;
  byHash(tokenHash: string): TokenRecord | undefined;
  /** Marks the token used at `at` (the idle timeout counts from here). */
  touch(tokenHash: string, at: Date): void;
  revoke(tokenHash: string): boolean;
  /** Revokes every live token of the account; returns how many. */
  revokeAllFor(clinicianId: string): number;
}

interface TokenRow {
  clinician_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked: number;
}

export function createTokenRepo(db: Database): TokenRepo {
  const insert = db.prepare(
    `INSERT INTO tokens (token_hash, clinician_id, created_at, expires_at, last_used_at, revoked) VALUES (?, ?, ?, ?, ?, 0)`,
  );
  const select = db.prepare<[string], TokenRow>(
    `SELECT clinician_id, created_at, expires_at, last_used_at, revoked FROM tokens WHERE token_hash = ?`,
  );
  const touch = db.prepare(`UPDATE tokens SET last_used_at = ? WHERE token_hash = ? AND revoked = 0`);
  const revoke = db.prepare(`UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0`);
  const revokeAll = db.prepare(`UPDATE tokens SET revoked = 1 WHERE clinician_id = ? AND revoked = 0`);
  return {
    insert(tokenHash, clinicianId, createdAt, expiresAt) {
      insert.run(tokenHash, clinicianId, createdAt.toISOString(), expiresAt.toISOString(), createdAt.toISOString());
    },
    byHash(tokenHash) {
      const row = select.get(tokenHash);
      return row
        ? {
            clinicianId: row.clinician_id,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
            lastUsedAt: row.last_used_at ?? row.created_at,
            revoked: row.revoked === 1,
          }
        : undefined;
    },
    touch(tokenHash, at) {
      touch.run(at.toISOString(), tokenHash);
    },
    revoke: (tokenHash) => revoke.run(tokenHash).changes > 0,
    revokeAllFor: (clinicianId) => revokeAll.run(clinicianId).changes,
  };
}
