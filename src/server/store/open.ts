/**
 * The store a server's configuration names: PostgreSQL at `database.url` when there is one
 * (several servers may share it), SQLite in the data directory otherwise (the embedded
 * default: nothing else to install or run).
 *
 * A database shared by several servers, or outliving this process, must be keyed with the
 * records key they all hold: a key made up for this process alone would seal records no other
 * server (and no later start) can open, so that is refused.
 */
import { ConfigError, settingName, type ServerConfig } from '../config.js';
import { openPostgres, type PostgresOptions } from './postgres/open.js';
import { createRecordKeys } from './recordKeys.js';
import { openStore, storeOver, type Store } from './store.js';

export interface OpenOptions {
  /** The records key; without one, a key for this process only (SQLite only). */
  recordsKey?: Buffer;
  /** The key given was made for this run, not read from `recordsKeyFile` (SQLite only; see openStore). */
  ephemeralKey?: boolean;
  postgres?: PostgresOptions;
}

export async function openConfiguredStore(config: Pick<ServerConfig, 'dataDir' | 'database'>, options: OpenOptions = {}): Promise<Store> {
  const ephemeral = options.ephemeralKey ?? options.recordsKey === undefined;
  if (config.database === undefined) {
    return openStore(config.dataDir, options.recordsKey, { ephemeralKey: ephemeral });
  }
  if (options.recordsKey === undefined || ephemeral) {
    throw new ConfigError(
      `missing setting ${settingName('recordsKeyFile')}: a PostgreSQL store (${settingName('database')}) is shared and outlives this process, ` +
        'so its records must be sealed with the records key every server holds',
    );
  }
  const sql = await openPostgres(config.database.url, options.postgres);
  return storeOver(sql, createRecordKeys(options.recordsKey, ephemeral));
}
