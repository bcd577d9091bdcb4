/**
 * `npm run server [-- --config PATH]` runs the session server from its configuration;
 * `npm run server -- --demo [--port N] [--invitations N]` runs demo mode and prints one `CONFIDANT_DEMO {json}`
 * line on stdout (everything for humans goes to stderr). SIGINT and SIGTERM stop it cleanly.
 */
import { parseArgs } from 'node:util';
import { DEMO_LINE_PREFIX } from '../shared/protocol.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseOpenError } from './store/postgres/open.js';
import { startDemo } from './demo.js';
import { createLogger, errorFields } from '../common/logger.js';
import { startServer } from './server.js';

const log = createLogger('cli');

interface Running {
  close(): Promise<void>;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: tsx src/server/cli.ts [--config PATH] | --demo [--port N] [--invitations N]\n`);
  process.exit(2);
}

function parseInvitations(value: string | undefined): number {
  if (value === undefined) return 4;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) usage(`invalid --invitations: ${value} (1 to 200)`);
  return n;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid --port: ${value}`);
  return port;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        demo: { type: 'boolean', default: false },
        port: { type: 'string' },
        invitations: { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    usage(err instanceof Error ? err.message : 'bad arguments');
  }

  // Listening for the stop signals comes first: mediasoup's workers add listeners of their own
  // as they start, and with any listener Node no longer exits on SIGTERM by itself, so a signal
  // that came while the server was starting would close the workers and leave the process up.
  let running: Running | undefined;
  let stopping = false;
  const finish = (r: Running): void => {
    r.close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error('stop.failed', errorFields(err));
        process.exit(1);
      });
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    // Still starting: the start finishes (or fails) first, then closes what it opened.
    if (running) finish(running);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    if (args.demo) {
      const demo = await startDemo({ port: parsePort(args.port), invitations: parseInvitations(args.invitations) });
      running = demo;
      if (!stopping) {
        process.stdout.write(DEMO_LINE_PREFIX + JSON.stringify(demo.info) + '\n');
        process.stderr.write(
          [
            '',
            `Confidant demo is running on ${demo.info.httpUrl}`,
            '',
            'Console sign-in (server address above); add each TOTP secret to an authenticator app:',
            `  facilitator  ${demo.info.facilitator.username} / ${demo.info.facilitator.password}  TOTP secret ${demo.info.facilitator.totpSecret ?? '-'}`,
            `  supervisor   ${demo.info.supervisor.username} / ${demo.info.supervisor.password}  TOTP secret ${demo.info.supervisor.totpSecret ?? '-'}`,
            `  admin        ${demo.info.admin?.username} / ${demo.info.admin?.password}  TOTP secret ${demo.info.admin?.totpSecret ?? '-'}`,
            '',
            'No authenticator app at hand? npm run demo:code -- SECRET prints the current code.',
            '',
            'Client invitations (open one in a browser, enter its passcode):',
            ...demo.info.invitations.map((i) => `  ${i.participantRef}  ${i.url}  passcode ${i.passcode}`),
            '',
            'Stop with Ctrl+C.',
            '',
          ].join('\n'),
        );
      }
    } else {
      if (args.port !== undefined) usage('--port is for --demo; set CONFIDANT_PORT or "port" in the config file');
      const config = loadConfig(args.config !== undefined ? { configPath: args.config } : {});
      running = await startServer(config);
    }
  } catch (err) {
    // Stopped while starting: what failed is the start the signal cut short, not a fault.
    if (!stopping) throw err;
    log.info('stopped.while_starting', errorFields(err));
    process.exit(0);
  }
  if (stopping) finish(running);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DatabaseOpenError) {
    process.stderr.write(`confidant: ${err.message}\n`);
  } else {
    log.error('start.failed', errorFields(err));
    process.stderr.write('confidant: the server could not start (see the log above)\n');
  }
  process.exit(1);
});
