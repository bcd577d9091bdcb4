/**
 * A tiny typed event emitter: `on` returns its own unsubscribe function, and a throwing
 * handler is logged instead of breaking the emitter's caller (usually a network callback).
 */
export class Emitter<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const h of [...set] as ((payload: Events[E]) => void)[]) {
      try {
        h(payload);
      } catch (err) {
        console.error(`emitter: handler for ${String(event)} failed`, err);
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}
