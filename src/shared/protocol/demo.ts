/**
 * The demo line: what `npm start -- --demo` prints (one line, after DEMO_LINE_PREFIX) so tests
 * and people can find the demo server, its accounts and its invitations.
 */
import { z } from 'zod';
import { Id } from './values';

export const DEMO_LINE_PREFIX = 'CONFIDANT_DEMO ';

const DemoClinician = z.object({
  username: z.string(),
  password: z.string(),
  totpSecret: z.string().optional(),
});

export const DemoInfo = z.object({
  httpUrl: z.string(),
  wsUrl: z.string(),
  dataDir: z.string(),
  facilitator: DemoClinician,
  supervisor: DemoClinician,
  /** An addition to PROTOCOL.md's demo line: an admin, so the accounts screens can be tried. */
  admin: DemoClinician.optional(),
  sessionId: Id,
  invitations: z.array(
    z.object({ participantRef: z.string(), url: z.string(), token: z.string(), passcode: z.string() }),
  ),
});
export type DemoInfo = z.infer<typeof DemoInfo>;
