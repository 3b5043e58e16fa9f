import type { UnwrapResult } from './types.js';

/** Plain text for `clicktrace unwrap`: one line per layer, then the destination. */
export function formatUnwrap(result: UnwrapResult): string {
  const lines = result.layers.map((layer, i) => {
    const note = layer.note ? `  (${layer.note})` : '';
    return `${i + 1}. ${layer.party} [${layer.rule}] ${layer.url}${note}`;
  });
  if (result.destination !== null) lines.push(`=> ${result.destination}`);
  else lines.push('=> destination unknown without a visit');
  return `${lines.join('\n')}\n`;
}
