/** Every migration in order. A new schema version is a new numbered file added here. */
import type { NumberedMigration } from '../../../common/migrations.js';
import * as m001 from './001_initial.js';
import * as m002 from './002_moderation.js';
import * as m003 from './003_accounts.js';
import * as m004 from './004_notes.js';
import * as m005 from './005_audit_attendance.js';
import * as m006 from './006_resumptions.js';
import * as m007 from './007_sealed_records.js';
import * as m008 from './008_room_lock.js';
import * as m009 from './009_session_hosts.js';
import * as m010 from './010_servers.js';
import * as m011 from './011_agreement_acceptance.js';
import * as m012 from './012_checkin_rating.js';
import * as m013 from './013_recaps.js';
import * as m014 from './014_audit_device.js';
import * as m015 from './015_group_chat_off.js';
import * as m016 from './016_agreement_language.js';
import type { RecordKeys } from '../recordKeys.js';

/** `keys` (the context): the records keys, for migrations that seal or key existing rows. */
export type Migration = NumberedMigration<RecordKeys | undefined>;

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013, m014, m015, m016];
