// With the `u` flag a surrogate pair is one code point, so only a lone half matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `text` is well-formed Unicode: no half of a UTF-16 surrogate pair on its own. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
