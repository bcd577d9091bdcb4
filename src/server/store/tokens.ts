/** Bearer tokens, stored only as SHA-256 digests. */
import type { Database } from 'better-sqlite3';

export interface TokenRecord {
  clinicianId: string;
  createdAt: string;
  expiresAt: string;
  revoked: boolean;
}

export interface TokenRepo {
  insert(tokenHash: string, clinicianId: string, createdAt: Date, expiresAt: Date): void;
  byHash(tokenHash: string): TokenRecord | undefined;
  revoke(tokenHash: string): boolean;
}

interface TokenRow {
  clinician_id: string;
  created_at: string;
  expires_at: string;
  revoked: number;
}

export function createTokenRepo(db: Database): TokenRepo {
  const insert = db.prepare(
    `INSERT INTO tokens (token_hash, clinician_id, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, 0)`,
  );
  const select = db.prepare<[string], TokenRow>(
    `SELECT clinician_id, created_at, expires_at, revoked FROM tokens WHERE token_hash = ?`,
  );
  const revoke = db.prepare(`UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0`);
  return {
    insert(tokenHash, clinicianId, createdAt, expiresAt) {
      insert.run(tokenHash, clinicianId, createdAt.toISOString(), expiresAt.toISOString());
    },
    byHash(tokenHash) {
      const row = select.get(tokenHash);
      return row
        ? { clinicianId: row.clinician_id, createdAt: row.created_at, expiresAt: row.expires_at, revoked: row.revoked === 1 }
        : undefined;
    },
    revoke: (tokenHash) => revoke.run(tokenHash).changes > 0,
  };
}
