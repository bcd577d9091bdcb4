/** The server's store: one SQLite database and a repository per table group. */
import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { createClinicianRepo, type ClinicianRepo } from './clinicians.js';
import { openDatabase } from './database.js';
import { createInvitationRepo, type InvitationRepo } from './invitations.js';
import { createSessionRepo, type SessionRepo } from './sessions.js';
import { createTokenRepo, type TokenRepo } from './tokens.js';

export interface Store {
  readonly db: Database;
  readonly clinicians: ClinicianRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly invitations: InvitationRepo;
  close(): void;
}

export const DATABASE_FILE = 'confidant.sqlite';

export function openStore(dataDir: string): Store {
  const db = openDatabase(path.join(dataDir, DATABASE_FILE));
  return {
    db,
    clinicians: createClinicianRepo(db),
    tokens: createTokenRepo(db),
    sessions: createSessionRepo(db),
    invitations: createInvitationRepo(db),
    close: () => db.close(),
  };
}
