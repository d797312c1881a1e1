import { ApiError } from '../../api/client';

/** The server's per-field messages (422), keyed by the request's field names. */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fields : {};
}
