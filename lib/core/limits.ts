/**
 * The largest stream version: versions are stored in a 32-bit signed integer column on every
 * database, so a stream holds at most this many events.
 */
export const MAX_STREAM_VERSION = 2_147_483_647;

/**
 * The largest page one read returns (`maxCount` of `readAll` and `readStream`). A bigger page would
 * hold that many events in memory at once; read in pages instead (the checkpoint or the last
 * version continues where a page ended).
 */
export const MAX_PAGE_SIZE = 10_000;
