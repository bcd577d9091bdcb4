/** Every PostgreSQL migration in order. A new schema version is a new numbered file added here. */
import * as m001 from './001_initial.js';
import * as m002 from './002_limits.js';
import * as m003 from './003_session_hosts.js';
import * as m004 from './004_servers.js';
import * as m005 from './005_agreement_acceptance.js';
import * as m006 from './006_checkin_rating.js';
import * as m007 from './007_recaps.js';
import * as m008 from './008_audit_device.js';
import * as m009 from './009_group_chat_off.js';
import * as m010 from './010_agreement_language.js';
import type { PostgresMigration } from './run.js';

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010];
