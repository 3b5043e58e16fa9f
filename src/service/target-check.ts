// Refusing submitted targets that point into the analyst's own network. The trace's resolver
// enforces the same rule on every hop; checking at submission gives the user a clear answer
// before anything is queued. Addresses mapped by --resolve/--connect-to are the operator's
// explicit choice (the lab) and pass.
import { parseTraceUrl } from '../capture/trace-input.js';
import { portOf } from '../http/host.js';
import { ResolveError } from '../proxy/resolver.js';
import { buildUpstream } from '../proxy/upstream.js';
import { SubmissionError } from './submission-error.js';

export interface TargetPolicy {
  resolve?: string[];
  connectTo?: string[];
  dnsServer?: string | null;
  allowPrivate?: boolean;
}

const MAX_URL_LENGTH = 8192;
const CHECK_TIMEOUT_MS = 5000;

/** The parsed target, or a SubmissionError saying why it cannot be traced. */
export async function checkTarget(url: unknown, policy: TargetPolicy): Promise<URL> {
  if (typeof url !== 'string' || !url.trim()) throw new SubmissionError('a URL is required', 400, 'bad-url');
  if (url.length > MAX_URL_LENGTH) throw new SubmissionError(`the URL is longer than ${MAX_URL_LENGTH} characters`, 400, 'bad-url');
  let target: URL;
  try {
    target = parseTraceUrl(url);
  } catch (err) {
    throw new SubmissionError((err as Error).message, 400, 'bad-url');
  }
  if (policy.allowPrivate) return target;
  // The same resolver a trace builds (its --resolve/--connect-to/--dns-server), without the CA files.
  const { resolver } = buildUpstream({ resolve: policy.resolve, connectTo: policy.connectTo, dnsServer: policy.dnsServer ?? null });
  const port = portOf(target);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS)));
  try {
    await Promise.race([resolver.target(target.hostname, port), timeout]);
  } catch (err) {
    if (err instanceof ResolveError && err.code === 'EPRIVATE') {
      const address = /private address (\S+)/.exec(err.message)?.[1] ?? target.hostname;
      throw new SubmissionError(
        `refused: ${target.hostname} resolves to ${address}, a private, loopback or link-local address. ` +
          'This server only traces public targets; start it with --allow-private to allow such addresses.',
        403,
        'private-address',
      );
    }
    // Not resolving is a finding, not a refusal: the trace records it.
  } finally {
    clearTimeout(timer);
  }
  return target;
}
