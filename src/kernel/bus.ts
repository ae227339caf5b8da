// A small typed event bus between features. It knows no domain: each part declares the events it
// emits (and the commands it obeys) as an event map, name → payload; a daemon's bus carries the
// union of its parts' maps, and a part sees the bus through its own map only.
// Listeners run synchronously in registration order; a throwing listener is logged, never propagated.

type Listener<T> = (payload: T) => void;

export class EventBus<Events extends object> {
  private readonly listeners = new Map<PropertyKey, Set<Listener<never>>>();
  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<Events[K]>)(payload);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
