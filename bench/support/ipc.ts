/** The driver's side of a bench's child processes: waiting for one kind of IPC message. */
import type { ChildProcess } from 'node:child_process';

/**
 * The next message of `type` from `child`. Rejects with its text on a `{type: 'error'}`
 * message, and when the child exits first (or has exited already).
 */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`a bench process had exited (${child.exitCode ?? child.signalCode})`));
      return;
    }
    const onMessage = (raw: unknown): void => {
      const m = raw as T | { type: 'error'; message: string };
      if (m.type === 'error') {
        cleanup();
        reject(new Error((m as { message: string }).message));
      } else if (m.type === type) {
        cleanup();
        resolve(m as T);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`a bench process exited (${code})`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
