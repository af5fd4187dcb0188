/**
 * The message of anything thrown, for logs and for wrapping errors: an Error's `message`, or the
 * thrown value as text (a library or a user's handler may throw a string or an object).
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
