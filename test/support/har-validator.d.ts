// har-validator ships no types; only the call the tests use.
declare module 'har-validator' {
  /** Resolves with the HAR when it is valid HAR 1.2, rejects with the schema errors otherwise. */
  export function har(data: unknown): Promise<unknown>;
}
