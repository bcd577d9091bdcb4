/**
 * The admin command's fleet commands (admin.ts): the servers sharing this PostgreSQL database,
 * and draining one of them. A server reads its mode from the database at its next heartbeat
 * (a third of `sessionLeaseSeconds`), so these work from any host that reaches the database,
 * with no port of the server's to open. Each change of mode is on the audit log.
 */
import { ProtocolError } from '../shared/protocol.js';
import { ADMIN_COMMAND_ACTOR } from './accounts/accounts.js';
import { UsageError } from './adminTerminal.js';
import type { ServerMode } from './store/hosts.js';
import type { Store } from './store/store.js';

export const FLEET_USAGE = `Servers sharing a PostgreSQL database
  fleet [--json]                             each server: id, address, mode, last heartbeat
  drain SERVER_ID [--handover]               hosts no new session; its live sessions go on
                                             to their end there, or with --handover move to
                                             another server now (their people reconnect
                                             within seconds and keep their places)
  serve SERVER_ID                            ends a drain
`;

interface FleetContext {
  store: Store;
  out: (line: string) => void;
}

type Options = Record<string, string | boolean | undefined>;
type FleetCommand = (ctx: FleetContext, positional: string[], options: Options) => Promise<void>;

async function setMode(ctx: FleetContext, serverId: string | undefined, mode: ServerMode): Promise<void> {
  if (!serverId) throw new UsageError('a server id is needed (see: fleet)');
  if (ctx.store.dialect === 'sqlite') {
    throw new ProtocolError('CONFLICT', 'a SQLite database belongs to one server, which has nowhere to send its sessions: draining needs servers sharing PostgreSQL');
  }
  if (!(await ctx.store.hosts.setMode(serverId, mode))) {
    throw new ProtocolError('NOT_FOUND', `no server named ${serverId} has run on this database (see: fleet)`);
  }
  await ctx.store.audit.record({ at: new Date(), event: `server.${mode}`, actorId: ADMIN_COMMAND_ACTOR, subjectId: serverId, address: 'local' });
}

const NEXT_HEARTBEAT = 'it takes effect at its next heartbeat, within a third of sessionLeaseSeconds';

export const FLEET_COMMANDS: Record<string, FleetCommand> = {
  async fleet(ctx, _args, o) {
    if (ctx.store.dialect === 'sqlite') return ctx.out('a SQLite database belongs to one server: there is no fleet to list');
    const servers = await ctx.store.hosts.fleet(0);
    if (o.json === true) return ctx.out(JSON.stringify(servers));
    if (servers.length === 0) return ctx.out('no server has run on this database yet');
    const now = Date.now();
    for (const s of servers) {
      const ago = Math.max(0, Math.round((now - s.seenAtMs) / 1000));
      ctx.out([s.serverId.padEnd(24), s.url.padEnd(36), s.mode.padEnd(9), `seen ${ago} s ago`].join(' '));
    }
  },
  async drain(ctx, [serverId], o) {
    const mode = o.handover === true ? 'handover' : 'draining';
    await setMode(ctx, serverId, mode);
    ctx.out(
      mode === 'handover'
        ? `${serverId}: draining, and handing its live sessions over to other servers; ${NEXT_HEARTBEAT}`
        : `${serverId}: draining (no new session; live ones go on to their end); ${NEXT_HEARTBEAT}`,
    );
  },
  async serve(ctx, [serverId]) {
    await setMode(ctx, serverId, 'serving');
    ctx.out(`${serverId}: serving; ${NEXT_HEARTBEAT}`);
  },
};
