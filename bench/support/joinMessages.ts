/** IPC between bench/join.ts and its three child processes. */

/** A group: its session and one invitation per client. */
export interface JoinGroup {
  sessionId: string;
  invitations: { token: string; passcode: string }[];
}

export type JoinServerToDriver =
  | { type: 'ready'; pid: number; httpUrl: string; wsUrl: string; facilitator: { username: string; password: string; totpSecret: string } }
  | { type: 'seeded'; groups: JoinGroup[] }
  | { type: 'error'; message: string };

export type DriverToJoinServer = { type: 'seed'; groups: number; clients: number };

export type EchoToDriver = { type: 'ready'; pid: number; url: string };

/** What one burst did, each time on the clients process's clock. */
export interface BurstTimes {
  /** hello sent → checkIn answered, per client (ms). */
  joinMs: number[];
  /** checkIn sent → its knock at the session's facilitator, per client (ms); empty for the echo. */
  knockMs: number[];
}

export type DriverToClients =
  /** Connect facilitators to `groups` (product) and open one socket per client, untimed. */
  | { type: 'prepare'; target: 'product'; groups: JoinGroup[]; token: string; httpUrl: string; wsUrl: string }
  | { type: 'prepare'; target: 'echo'; url: string; clients: number }
  /** Every prepared client starts in the same tick. */
  | { type: 'go' }
  /** Leave (product) and close every socket. */
  | { type: 'disperse' }
  | { type: 'exit' };

export type ClientsToDriver =
  | { type: 'prepared' }
  | { type: 'done'; times: BurstTimes }
  | { type: 'dispersed' }
  | { type: 'error'; message: string };
