// XML 1.0 allows tab, newline, carriage return and everything from U+0020 except the surrogates
// and U+FFFE/U+FFFF; anything else cannot be escaped, only dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export const escapeXml = (text: string) => text.replace(NOT_XML_CHAR, '').replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
