export { unwrap, decodeOnce, MAX_UNWRAP_DEPTH, type DecodeStep } from './unwrap.js';
export { formatUnwrap } from './format.js';
export type { UnwrapResult, UnwrapLayer, DecodeOutcome, WrapperRule } from './types.js';
