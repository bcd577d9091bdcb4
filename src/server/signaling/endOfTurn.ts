/**
 * Work left for the end of the current turn of the event loop (one setImmediate), in a fixed
 * order: first the frames this turn produced leave (signaling/connection.ts releases its
 * corked sockets), then this turn's records are written (store/writeBatcher.ts). So fifty
 * knocks do not wait behind fifty check-ins' disk work, and a request read in the next turn
 * still sees every record the previous turn made.
 */
export type TurnStage = 'send' | 'write';

const pending: Record<TurnStage, (() => void)[]> = { send: [], write: [] };
let scheduled = false;

function runStage(stage: TurnStage): void {
  const work = pending[stage];
  pending[stage] = [];
  for (const fn of work) {
    try {
      fn();
    } catch (err) {
      // One failure must not keep the others' frames or records back; it still surfaces.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function run(): void {
  scheduled = false;
  runStage('send');
  runStage('write');
}

export function atEndOfTurn(stage: TurnStage, fn: () => void): void {
  pending[stage].push(fn);
  if (!scheduled) {
    scheduled = true;
    setImmediate(run);
  }
}
