// HTTP errors of the service as one JSON shape: `{ statusCode, error, message }`, where `error`
// is a short machine-readable code and `message` says what was wrong in words.

/** Short codes of the service's errors (the `error` field of every error body). */
export type ProblemCode =
  | 'bad_audio'
  | 'audio_too_long'
  | 'body_too_large'
  | 'empty_body'
  | 'bad_request'
  | 'malformed_multipart'
  | 'unsupported_media_type'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'too_many_requests'
  | 'shutting_down'
  | 'web_page_not_built'
  | 'internal_error';

/** The JSON body of every error response. */
export interface ProblemBody {
  /** HTTP status code, repeated in the body for clients that log bodies only. */
  statusCode: number;
  error: ProblemCode;
  message: string;
}

/** An error that becomes one HTTP error response (the service's error handler sends it as is). */
export class HttpProblem extends Error {
  /**
   * @param statusCode - HTTP status (4xx/5xx).
   * @param code - short code for the `error` field.
   * @param message - what was wrong, in words (sent to the client).
   * @param headers - extra response headers (e.g. `retry-after`).
   */
  constructor(
    readonly statusCode: number,
    readonly code: ProblemCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }

  /** The response body. */
  body(): ProblemBody {
    return { statusCode: this.statusCode, error: this.code, message: this.message };
  }
}

/** Megabytes with one decimal, for messages. */
export function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
