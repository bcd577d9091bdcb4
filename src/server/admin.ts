/**
 * `npm run admin -- COMMAND …`: account administration on the server's host, against the
 * same configuration (`--config PATH` or CONFIDANT_CONFIG, environment overriding) and
 * database as `npm run server`. It works on the database directly, so it is also how the
 * first admin comes to exist and get a second factor (the bootstrap path: sign-in needs
 * TOTP, and only an admin, or this command, can enrol it).
 *
 * Passwords are never taken from the command line (argv is visible to every user of the
 * host and lands in shell history): they are asked for without echo on a terminal, or read
 * from standard input with --password-stdin.
 *
 * Exit codes: 0 done, 1 refused or failed (the message says why), 2 usage error.
 */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ClinicianRole, ProtocolError, type ClinicianAccount } from '../shared/protocol.js';
import { AuditCheckpoint, checkpointSignatureValid, signCheckpoint } from './audit/chain.js';
import { loadAuditSigningKey } from './audit/signingKey.js';
import { ADMIN_COMMAND_ACTOR, createAccounts, type Accounts, type Actor } from './accounts/accounts.js';
import { BackupError, backupReport, backupStore, restoreReport, restoreStore } from './backup/backup.js';
import { ConfigError, loadConfig, settingName, type ServerConfig } from './config.js';
import { setLogLevel } from '../common/logger.js';
import { newPassword, terminalQr, UsageError } from './adminTerminal.js';
import { FLEET_COMMANDS, FLEET_USAGE } from './adminFleet.js';
import { loadRecordsKey } from './keys/recordsKey.js';
import { createSessionLifecycle } from './sessions/lifecycle.js';
import { openConfiguredStore } from './store/open.js';
import { DatabaseOpenError } from './store/postgres/open.js';
import type { Store } from './store/store.js';

const USAGE = `usage: npm run admin -- [--config PATH] COMMAND [options]

Accounts
  create-clinician --username U --display-name NAME --roles R[,R…] [--password-stdin]
  set-roles U --roles R[,R…]                 roles: facilitator, supervisor, admin
  assign-supervisee --supervisor U --facilitator U
  unassign-supervisee --supervisor U --facilitator U
  reset-password U [--password-stdin]        revokes the account's sign-ins
  enrol-totp U                               prints the otpauth URI and a QR code
  deactivate U | activate U                  deactivating revokes every sign-in
  unlock U                                   ends a lockout after failed sign-ins
  list [--json]

Sessions
  schedule-session --facilitator U --title T --starts ISO --ends ISO [--co U[,U…]]

Audit
  audit verify [--checkpoint FILE]           walks the keyed hash chain; exit 1 naming the
                                             first broken entry if anything was altered,
                                             and, given a checkpoint, if the log up to it
                                             was rewritten or cut short
  audit checkpoint [--out FILE]              the chain's head signed with the audit signing
                                             key (auditSigningKeyFile): keep it away from
                                             the server, to verify against later
  audit list [--session ID] [--json]         entries, oldest first

Backups (the records key is NOT in a backup: keep it, apart, to restore one)
  backup --out FILE                          a new file (0600), taken while the server runs:
                                             SQLite's online backup, or pg_dump
  restore --from FILE [--force]              checks the backup's audit chain under the
                                             records key, then replaces the database; the
                                             server must be stopped. --force replaces one
                                             that holds records (SQLite keeps it aside)

${FLEET_USAGE}
Passwords are asked for on the terminal without echo, or read from the first line of
standard input with --password-stdin; never from the command line.
`;


/** A checkpoint file, refused unless its signature verifies under this server's signing key. */
function readCheckpoint(file: string, publicKey: KeyObject): AuditCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ProtocolError('BAD_REQUEST', `${file} is not a readable checkpoint (JSON from audit checkpoint)`);
  }
  const parsed = AuditCheckpoint.safeParse(json);
  if (!parsed.success) throw new ProtocolError('BAD_REQUEST', `${file} is not a checkpoint: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  if (!checkpointSignatureValid(publicKey, parsed.data)) {
    throw new ProtocolError('FORBIDDEN', `the checkpoint's signature does not verify with this server's audit signing key: refused`);
  }
  return parsed.data;
}

const ACTOR: Actor = { id: ADMIN_COMMAND_ACTOR, address: 'local' };

function parseRoles(value: string | undefined): ClinicianRole[] {
  if (!value) throw new UsageError('--roles is needed');
  const roles = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const parsed = roles.map((r) => ClinicianRole.safeParse(r));
  const bad = roles.filter((_, i) => !parsed[i]?.success);
  if (bad.length > 0 || roles.length === 0) throw new UsageError(`unknown role: ${bad.join(', ') || '(none)'}`);
  return [...new Set(parsed.flatMap((p) => (p.success ? [p.data] : [])))];
}

function describe(a: ClinicianAccount, usernames: Map<string, string>): string {
  const supervisees = a.superviseeIds.map((id) => usernames.get(id) ?? id).join(',');
  return [
    a.username.padEnd(20),
    a.displayName.padEnd(24),
    a.roles.join(',').padEnd(30),
    (a.active ? 'active' : 'inactive').padEnd(9),
    (a.totpEnrolled ? 'totp' : 'no-totp').padEnd(8),
    a.lockedUntil ? `locked until ${a.lockedUntil}` : '',
    supervisees ? `supervises ${supervisees}` : '',
  ]
    .join(' ')
    .trimEnd();
}

interface Context {
  config: ServerConfig;
  store: Store;
  accounts: Accounts;
  out: (line: string) => void;
}

async function byUsername(ctx: Context, username: string | undefined, what = 'a username'): Promise<ClinicianAccount> {
  if (!username) throw new UsageError(`${what} is needed`);
  return ctx.accounts.byUsername(username);
}

type Options = Record<string, string | boolean | undefined>;
type Command = (ctx: Context, positional: string[], options: Options) => Promise<void> | void;
/** Commands that open the database their own way: a restore must not find it open, and may find none. */
type StoreCommand = (config: ServerConfig, options: Options, out: (line: string) => void) => Promise<void>;

const str = (o: Options, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);

const COMMANDS: Record<string, Command> = {
  async 'create-clinician'(ctx, _args, o) {
    const username = str(o, 'username');
    const displayName = str(o, 'display-name');
    if (!username || !displayName) throw new UsageError('--username and --display-name are needed');
    const roles = parseRoles(str(o, 'roles'));
    const password = await newPassword(o['password-stdin'] === true);
    const created = await ctx.accounts.create(ACTOR, { username, displayName, password, roles });
    ctx.out(`created ${created.username} (${created.id}) with roles ${created.roles.join(',')}`);
    ctx.out(`next: npm run admin -- enrol-totp ${created.username}   (sign-in needs a second factor)`);
  },
  async 'set-roles'(ctx, [username], o) {
    const account = await byUsername(ctx, username);
    const updated = await ctx.accounts.update(ACTOR, account.id, { roles: parseRoles(str(o, 'roles')) });
    ctx.out(`${updated.username}: roles ${updated.roles.join(',')}`);
  },
  async 'assign-supervisee'(ctx, _args, o) {
    const supervisor = await byUsername(ctx, str(o, 'supervisor'), '--supervisor');
    const facilitator = await byUsername(ctx, str(o, 'facilitator'), '--facilitator');
    await ctx.accounts.assignSupervisee(ACTOR, supervisor.id, facilitator.id);
    ctx.out(`${supervisor.username} now supervises ${facilitator.username}`);
  },
  async 'unassign-supervisee'(ctx, _args, o) {
    const supervisor = await byUsername(ctx, str(o, 'supervisor'), '--supervisor');
    const facilitator = await byUsername(ctx, str(o, 'facilitator'), '--facilitator');
    await ctx.accounts.unassignSupervisee(ACTOR, supervisor.id, facilitator.id);
    ctx.out(`${supervisor.username} no longer supervises ${facilitator.username}`);
  },
  async 'reset-password'(ctx, [username], o) {
    const account = await byUsername(ctx, username);
    const password = await newPassword(o['password-stdin'] === true);
    await ctx.accounts.resetPassword(ACTOR, account.id, password);
    ctx.out(`${account.username}: password reset; existing sign-ins revoked`);
  },
  async 'enrol-totp'(ctx, [username]) {
    const account = await byUsername(ctx, username);
    // The server must be able to open the secret sealed here: with a key made up for this
    // process it never could.
    if (ctx.config.recordsKeyFile === undefined) {
      throw new ProtocolError(
        'CONFLICT',
        `enrolling a second factor needs the records key the server uses: set ${settingName('recordsKeyFile')}`,
      );
    }
    const enrolment = await ctx.accounts.enrolTotp(ACTOR, account.id);
    ctx.out(`Second factor for ${account.username}: scan this in an authenticator app, or enter the secret.`);
    ctx.out('');
    ctx.out(terminalQr(enrolment.otpauthUri));
    ctx.out('');
    ctx.out(`secret:  ${enrolment.secret}`);
    ctx.out(`uri:     ${enrolment.otpauthUri}`);
    ctx.out('Any earlier second factor of this account no longer works.');
  },
  async deactivate(ctx, [username]) {
    const account = await byUsername(ctx, username);
    await ctx.accounts.update(ACTOR, account.id, { active: false });
    ctx.out(`${account.username}: deactivated; sign-ins revoked (a running server closes its sockets within a heartbeat)`);
  },
  async activate(ctx, [username]) {
    const account = await byUsername(ctx, username);
    await ctx.accounts.update(ACTOR, account.id, { active: true });
    ctx.out(`${account.username}: active`);
  },
  async unlock(ctx, [username]) {
    const account = await byUsername(ctx, username);
    await ctx.accounts.update(ACTOR, account.id, { unlock: true });
    ctx.out(`${account.username}: unlocked`);
  },
  async list(ctx, _args, o) {
    const accounts = await ctx.accounts.list();
    if (o.json === true) return ctx.out(JSON.stringify(accounts));
    const usernames = new Map(accounts.map((a) => [a.id, a.username]));
    if (accounts.length === 0) return ctx.out('no accounts yet: create-clinician makes the first');
    for (const a of accounts) ctx.out(describe(a, usernames));
  },
  async 'schedule-session'(ctx, _args, o) {
    const lead = await byUsername(ctx, str(o, 'facilitator'), '--facilitator');
    const title = str(o, 'title')?.trim();
    const startsAt = new Date(str(o, 'starts') ?? '');
    const endsAt = new Date(str(o, 'ends') ?? '');
    if (!title) throw new UsageError('--title is needed');
    if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) {
      throw new UsageError('--starts and --ends take ISO 8601 times, e.g. 2026-12-01T17:00:00Z');
    }
    const co = await Promise.all(
      (str(o, 'co') ?? '')
        .split(',')
        .filter((u) => u.trim() !== '')
        .map((u) => byUsername(ctx, u.trim())),
    );
    for (const f of [lead, ...co]) {
      if (!f.active || !f.roles.includes('facilitator')) throw new ProtocolError('BAD_REQUEST', `${f.username} is not an active facilitator`);
    }
    if (co.some((c) => c.id === lead.id)) throw new ProtocolError('BAD_REQUEST', 'the lead facilitator cannot also be a co-facilitator');
    if (endsAt <= startsAt) throw new ProtocolError('BAD_REQUEST', 'a session must end after it starts');
    const session = await ctx.store.sessions.create({ title, startsAt, endsAt, facilitatorId: lead.id, coFacilitatorIds: co.map((c) => c.id) });
    await ctx.store.audit.record({ at: new Date(), event: 'session.created', actorId: ACTOR.id, subjectId: session.id, address: 'local' });
    const state = createSessionLifecycle({ store: ctx.store, waitingRoomOpensMinutes: ctx.config.waitingRoomOpensMinutes }).stateOf(session);
    ctx.out(`scheduled ${session.id} (${state}) ${session.startsAt} – ${session.endsAt}`);
  },
  async audit(ctx, [sub], o) {
    if (sub === 'verify' || sub === 'checkpoint') {
      // The chain is keyed by the server's records key: under a key made up for this process
      // every link would look altered.
      if (ctx.config.recordsKeyFile === undefined) {
        throw new ProtocolError('CONFLICT', `the audit chain is keyed: set ${settingName('recordsKeyFile')} to the server's records key`);
      }
    }
    if (sub === 'verify') {
      const file = str(o, 'checkpoint');
      const checkpoint = file === undefined ? undefined : readCheckpoint(file, loadAuditSigningKey(ctx.config).publicKey);
      const verdict = await ctx.store.audit.verify(checkpoint);
      if (!verdict.ok) throw new ProtocolError('CONFLICT', `audit log broken at entry ${verdict.brokenAt}: ${verdict.reason}`);
      ctx.out(`audit log intact: ${verdict.entries} entries, every link verified`);
      if (checkpoint) ctx.out(`and it holds the checkpoint of entry ${checkpoint.seq} signed at ${checkpoint.at}`);
      return;
    }
    if (sub === 'checkpoint') {
      const key = loadAuditSigningKey(ctx.config);
      // Its own entry first, so the checkpoint also covers the fact it was taken.
      await ctx.store.audit.record({ at: new Date(), event: 'audit.checkpointed', actorId: ACTOR.id, address: 'local' });
      const checkpoint = signCheckpoint(key.privateKey, await ctx.store.audit.head(), new Date());
      const json = JSON.stringify(checkpoint);
      const out = str(o, 'out');
      if (out === undefined) return ctx.out(json);
      writeFileSync(out, json + '\n', { mode: 0o600 });
      ctx.out(`checkpoint of entry ${checkpoint.seq} written to ${out}`);
      return;
    }
    if (sub === 'list') {
      const session = str(o, 'session');
      const entries = await ctx.store.audit.list(session !== undefined ? { sessionId: session } : {});
      if (o.json === true) return ctx.out(JSON.stringify(entries));
      for (const e of entries) {
        const parts = [String(e.seq).padStart(6), e.at, e.event, e.actorId ?? '-', e.subjectId ?? '-'];
        if (e.detail) parts.push(e.detail);
        ctx.out(parts.join('  '));
      }
      return;
    }
    throw new UsageError('audit takes verify, checkpoint or list');
  },
  ...FLEET_COMMANDS,
};

const STORE_COMMANDS: Record<string, StoreCommand> = {
  async backup(config, o, out) {
    const file = str(o, 'out');
    if (file === undefined) throw new UsageError('--out FILE is needed');
    for (const line of backupReport(await backupStore(config, file))) out(line);
  },
  async restore(config, o, out) {
    const file = str(o, 'from');
    if (file === undefined) throw new UsageError('--from FILE is needed');
    for (const line of restoreReport(await restoreStore(config, file, { force: o.force === true }))) out(line);
  },
};

async function runAdmin(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        username: { type: 'string' },
        'display-name': { type: 'string' },
        roles: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        supervisor: { type: 'string' },
        facilitator: { type: 'string' },
        json: { type: 'boolean' },
        title: { type: 'string' },
        starts: { type: 'string' },
        ends: { type: 'string' },
        co: { type: 'string' },
        session: { type: 'string' },
        checkpoint: { type: 'string' },
        out: { type: 'string' },
        from: { type: 'string' },
        force: { type: 'boolean' },
        handover: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`confidant admin: ${err instanceof Error ? err.message : 'bad arguments'}\n${USAGE}`);
    return 2;
  }
  const [name, ...positional] = parsed.positionals;
  if (parsed.values.help || name === undefined || name === 'help') {
    process.stderr.write(USAGE);
    return name === undefined && !parsed.values.help ? 2 : 0;
  }
  const command = COMMANDS[name];
  const storeCommand = STORE_COMMANDS[name];
  if (!command && !storeCommand) {
    process.stderr.write(`confidant admin: unknown command ${name}\n${USAGE}`);
    return 2;
  }

  let store: Store | undefined;
  try {
    const config = loadConfig(parsed.values.config !== undefined ? { configPath: parsed.values.config } : {});
    if (storeCommand) {
      await storeCommand(config, parsed.values, out);
      return 0;
    }
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    store = await openConfiguredStore(config, { recordsKey: loadRecordsKey(config), ephemeralKey: config.recordsKeyFile === undefined });
    const accounts = createAccounts({ store });
    await command!({ config, store, accounts, out }, positional, parsed.values);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`confidant admin: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ProtocolError || err instanceof ConfigError || err instanceof DatabaseOpenError || err instanceof BackupError) {
      process.stderr.write(`confidant admin: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`confidant admin: failed (${err instanceof Error ? err.name : 'error'})\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

// Quiet by default: this is a tool for a person, and the store's info lines are noise here.
if (process.env.CONFIDANT_LOG_LEVEL === undefined) setLogLevel('warn');
runAdmin(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
