/** A submission the service refuses, with the HTTP status and a stable code for API clients. */
export class SubmissionError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}
