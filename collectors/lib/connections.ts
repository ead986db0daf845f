/**
 * Connections to monitored servers kept between collector runs (a small pg pool per PostgreSQL
 * server, an ioredis client per Redis). The collector runner owns one of these and closes it at
 * shutdown; collectors open through it instead of keeping module-level singletons, so two runners
 * (two tests, two processes in one) never share or leak a connection.
 */
export class KeptConnections {
  private readonly kept = new Map<string, { value: unknown; close: () => Promise<void> }>();

  /** The connection kept under `key`, opened with `open` the first time. */
  get<R>(key: string, open: () => R, close: (value: R) => Promise<void>): R {
    const entry = this.kept.get(key);
    if (entry) return entry.value as R;
    const value = open();
    this.kept.set(key, { value, close: () => close(value) });
    return value;
  }

  /** Closes and forgets the connection under `key`, so the next `get` opens a new one. */
  async drop(key: string): Promise<void> {
    const entry = this.kept.get(key);
    this.kept.delete(key);
    await entry?.close().catch(() => undefined);
  }

  /** Closes every kept connection; a failure to close one does not stop the others. */
  async closeAll(): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    await Promise.all(all.map((e) => e.close().catch(() => undefined)));
  }
}
