// A level must hold for debounceMs before it counts (contacts bounce; a wet button chatters).
export class Debouncer {
  private stable: boolean | undefined;
  private pending: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onChange: (active: boolean, initial: boolean) => void,
  ) {}

  push(active: boolean): void {
    if (this.stable === undefined) {
      // The first level read at open is the state, not an event worth waiting for.
      this.stable = active;
      this.onChange(active, true);
      return;
    }
    this.pending = active;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (active === this.stable) return;
    const settle = (): void => {
      this.timer = undefined;
      if (this.pending === undefined || this.pending === this.stable) return;
      this.stable = this.pending;
      this.onChange(this.stable, false);
    };
    if (this.ms <= 0) settle();
    else this.timer = setTimeout(settle, this.ms);
  }

  /** Forget the level (after a reconnect the first reading is the state again). */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stable = this.pending = undefined;
  }
}
