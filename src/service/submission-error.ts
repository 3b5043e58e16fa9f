import { UserError } from '../errors.js';

/** A submission the service refuses, with the HTTP status and a stable code for API clients. */
export class SubmissionError extends UserError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}
