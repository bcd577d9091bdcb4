/** IPC between bench/join.ts and its child processes. */

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

/**
 * How each group's facilitator lets the waiting room in: `each`, one `admit` per knock in knock
 * order, the next sent when the last is answered (a facilitator clicking down the list); `all`,
 * one `admitAll`.
 */
export type AdmitWay = 'each' | 'all';

/** What the admissions after a burst took, on the clients process's clock. */
export interface AdmitTimes {
  /** `each`: admit sent → that client's `admitted` notification, per client (ms). */
  admitMs: number[];
  /** `all`: admitAll sent → the last of its group's `admitted` notifications, per group (ms). */
  admitAllMs: number[];
}

export type DriverToClients =
  /** Connect facilitators to `groups` (product) and open one socket per client, untimed. */
  | { type: 'prepare'; target: 'product'; groups: JoinGroup[]; token: string; httpUrl: string; wsUrl: string }
  /** The echo's facilitators (one per group, on its relay) and clients. */
  | { type: 'prepare'; target: 'echo'; url: string; groups: number; clientsPerGroup: number }
  /** Every prepared client starts in the same tick. */
  | { type: 'go' }
  /** Every group's facilitator admits its waiting room, all groups at once. */
  | { type: 'admit'; way: AdmitWay }
  /** Leave (product) and close every socket. */
  | { type: 'disperse' }
  | { type: 'exit' };

export type ClientsToDriver =
  | { type: 'prepared' }
  | { type: 'done'; times: BurstTimes }
  | { type: 'admitted'; times: AdmitTimes }
  | { type: 'dispersed' }
  | { type: 'error'; message: string };
