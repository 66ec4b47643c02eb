/** UTF-8 byte counting and cutting, for AE's byte limits (schema.ts, log-excerpt.ts). */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * UTF-8 byte length, counted without encoding (TextEncoder dominated the tail's
 * CPU profile). Lone surrogates count 3 bytes: TextEncoder writes them as U+FFFD.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Longest prefix of `s` within `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  // A UTF-16 unit never takes more than 3 bytes: short strings need no counting.
  if (s.length * 3 <= maxBytes) return s;
  // Each UTF-16 unit encodes to at least one byte: cut first so a 40 MB string costs no more than a small one.
  const head = s.length > maxBytes ? s.slice(0, maxBytes) : s;
  if (utf8Length(head) <= maxBytes) return head;
  const bytes = encoder.encode(head);
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

