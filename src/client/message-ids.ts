/**
 * Message ids as a person sees them: `inbox` and `chat` show the first 8 hex digits (`#1a2b3c4d`)
 * of an id's 32.
 */

/** The digits of a short id, as shown. */
export const SHORT_ID_DIGITS = 8

export const shortId = (id: string): string => id.slice(0, SHORT_ID_DIGITS)
