/** IPC messages between bench/knock.ts and its two child processes. */
import type { DemoInfo } from '../../src/shared/protocol.js';

export type ServerMessage = { type: 'ready'; info: DemoInfo; echoUrl: string };

export type DriverToClients =
  | { type: 'ping'; t0: number }
  | { type: 'prepare'; round: number }
  | { type: 'go'; round: number }
  | { type: 'disperse'; round: number }
  /** One round of the baseline: 50 concurrent raw round trips to the echo server. */
  | { type: 'echo'; round: number }
  | { type: 'exit' };

export type ClientsToDriver =
  | { type: 'pong'; t0: number; t1: number }
  | { type: 'prepared'; round: number; participantIds: string[] }
  /** Send times on the clients process's clock (performance.now()). */
  | { type: 'sent'; round: number; sentAt: Record<string, number> }
  | { type: 'dispersed'; round: number }
  | { type: 'echoed'; round: number; rttsMs: number[] }
  | { type: 'error'; message: string };
