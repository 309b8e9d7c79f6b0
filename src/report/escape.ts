// Every log value is attacker-controlled: each output format gets its own escaping.

// Control characters, zero-width and bidirectional-override characters (which can make text read
// differently than it is): shown as one space.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const LINE_BREAKS = /[\r\n\t]+/g;

/**
 * Markdown (CommonMark / GitHub): every ASCII punctuation character is backslash-escaped, so no
 * log value can open a link, an image, HTML, an entity, emphasis, code or a table cell; line breaks
 * become spaces, so none can end a table row or start a block.
 */
export function markdownText(value: string): string {
  return value.replace(INVISIBLE, ' ').replace(LINE_BREAKS, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/**
 * A Markdown code span: nothing inside is parsed (no link, no e-mail autolink, no HTML). The fence
 * is longer than any run of backticks in the value; `|` is escaped, as GitHub tables require even
 * inside code.
 */
export function markdownCode(value: string): string {
  const text = value.replace(INVISIBLE, ' ').replace(LINE_BREAKS, ' ').replace(/\|/g, '\\|');
  if (text.trim() === '') return '';
  const fence = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** At most `max` characters (before escaping, so no escape is cut in half). */
export function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/**
 * SARIF message text (§3.11): `[` and `]` would start an embedded link and `\` escapes them, so all
 * three are escaped; control characters go.
 */
export function sarifText(value: string): string {
  return value.replace(INVISIBLE, ' ').replace(/[\\[\]]/g, (c) => `\\${c}`);
}
