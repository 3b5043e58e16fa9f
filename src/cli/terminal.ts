// What a command says on the terminal it reads from.
/**
 * What a command reading stdin says when stdin is a terminal (`--input -` typed with nothing piped
 * to it): else it waits in silence, and looks hung. `what`: what is read, "the list of URLs".
 */
export function sayReadingTerminal(what: string, stdin: { isTTY?: boolean } = process.stdin): void {
  if (stdin.isTTY)
    process.stderr.write(`clicktrace: reading ${what} from the terminal: end it with Ctrl-D on a line of its own (Ctrl-C cancels)\n`);
}
