export async function run(argv: string[]): Promise<number> {
  const { runLabCommand } = await import('../lab/index.js');
  return runLabCommand(argv);
}
