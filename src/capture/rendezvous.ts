// A value that may arrive before or after someone asks for it, by key: a renderer's crash report
// from the browser session, asked for when the page's own session says it crashed.
export class Rendezvous<K, V> {
  private readonly values = new Map<K, V>();
  private readonly waiting = new Map<K, ((value: V) => void)[]>();

  settle(key: K, value: V): void {
    this.values.set(key, value);
    for (const resolve of this.waiting.get(key) ?? []) resolve(value);
    this.waiting.delete(key);
  }

  get(key: K): Promise<V> {
    if (this.values.has(key)) return Promise.resolve(this.values.get(key)!);
    return new Promise((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
  }
}
