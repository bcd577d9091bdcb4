/** Bearer tokens, stored only as SHA-256 digests, with their expiry and last use. */
import type { Sql } from './sql.js';

export interface TokenRecord {
  clinicianId: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string;
  revoked: boolean;
}

export interface TokenRepo {
  insert(tokenHash: string, clinicianId: string, createdAt: Date, expiresAt: Date): Promise<void>;
  byHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Marks the token used at `at` (the idle timeout counts from here). */
  touch(tokenHash: string, at: Date): Promise<void>;
  revoke(tokenHash: string): Promise<boolean>;
  /** Revokes every live token of the account; returns how many. */
  revokeAllFor(clinicianId: string): Promise<number>;
}

interface TokenRow {
  clinician_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked: number;
}

export function createTokenRepo(sql: Sql): TokenRepo {
  return {
    async insert(tokenHash, clinicianId, createdAt, expiresAt) {
      await sql.run(
        `INSERT INTO tokens (token_hash, clinician_id, created_at, expires_at, last_used_at, revoked) VALUES (?, ?, ?, ?, ?, 0)`,
        [tokenHash, clinicianId, createdAt.toISOString(), expiresAt.toISOString(), createdAt.toISOString()],
      );
    },
    async byHash(tokenHash) {
      const row = await sql.one<TokenRow>(
        `SELECT clinician_id, created_at, expires_at, last_used_at, revoked FROM tokens WHERE token_hash = ?`,
        [tokenHash],
      );
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
    async touch(tokenHash, at) {
      await sql.run(`UPDATE tokens SET last_used_at = ? WHERE token_hash = ? AND revoked = 0`, [at.toISOString(), tokenHash]);
    },
    revoke: async (tokenHash) => (await sql.run(`UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0`, [tokenHash])) > 0,
    revokeAllFor: (clinicianId) => sql.run(`UPDATE tokens SET revoked = 1 WHERE clinician_id = ? AND revoked = 0`, [clinicianId]),
  };
}
