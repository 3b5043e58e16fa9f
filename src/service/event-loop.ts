// A turn of the event loop for work that otherwise runs on promise callbacks alone (they never let
// the loop run): signals (Ctrl-C, SIGTERM), a closed output and timers are heard only between turns.

/** Resolves after the promise callbacks pending now and one turn of the event loop. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How long work on promise callbacks alone may hold the event loop before it lets it turn. */
export const TURN_MS = 50;
