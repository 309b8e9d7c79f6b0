// Shared by the pattern-driven formats (nginx log_format, later Apache LogFormat, Envoy format
// strings): turn a sequence of literals and captures into one RE2 regex that DuckDB applies to
// every line with regexp_extract(line, <regex>, [names]) — a single pass, no per-line JavaScript.
//
// DuckDB only accepts a constant pattern for named extraction, so the regex is spliced into the
// SQL text. To keep user text from ever reaching SQL unescaped, every literal character that is
// not [A-Za-z0-9] is written as \x{HH}: the finished regex contains no quote character at all,
// which toRegexLiteral() asserts.

export type PatternToken = { kind: 'literal'; text: string } | { kind: 'capture'; name: string; regex?: string };

export interface CompiledPattern {
  /** RE2 source, anchored; group 1 is the whole line (non-empty iff the line matched). */
  regex: string;
  /** Struct field names, in group order: 'matched', then one per capture. */
  names: string[];
}

export function escapeLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9]/.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0) ?? 0;
      out += `\\x{${code.toString(16).toUpperCase()}}`;
    }
  }
  return out;
}

/**
 * Default capture when a token gives none: everything up to the next literal's first character
 * (so `"$request"` becomes [^"]*, `[$time_local]` becomes [^\]]*), or the rest of the line.
 */
export function compilePattern(tokens: PatternToken[]): CompiledPattern {
  const names = ['matched'];
  let body = '';
  tokens.forEach((token, index) => {
    if (token.kind === 'literal') {
      body += escapeLiteral(token.text);
      return;
    }
    const next = tokens[index + 1];
    let group = token.regex;
    if (!group) {
      if (next?.kind === 'literal' && next.text.length > 0) {
        const stop = next.text.codePointAt(0) ?? 0;
        group = `[^\\x{${stop.toString(16).toUpperCase()}}]*`;
      } else if (next) {
        group = '.*?';
      } else {
        group = '.*';
      }
    }
    names.push(token.name);
    body += `(${group})`;
  });
  return { regex: `^(${body})[ \\t]*$`, names };
}

/** The regex as a SQL string literal, after checking it cannot break out of one. */
export function toRegexLiteral(regex: string): string {
  if (/['\n\r\0]/.test(regex)) throw new Error('internal: compiled log pattern contains a forbidden character');
  return `'${regex}'`;
}

/** `regexp_extract(<column>, <regex>, [names])`, returning a STRUCT of VARCHAR fields. */
export function structExtract(column: string, pattern: CompiledPattern): string {
  for (const name of pattern.names) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`internal: invalid capture name ${name}`);
  }
  const list = pattern.names.map((n) => `'${n}'`).join(', ');
  return `regexp_extract(${column}, ${toRegexLiteral(pattern.regex)}, [${list}])`;
}

/** Splits a log-format string into literals and the variables `re` (global) finds; `name` names a match. */
export function tokenizeWith(pattern: string, re: RegExp, name: (match: RegExpMatchArray) => string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let last = 0;
  for (const match of pattern.matchAll(re)) {
    if (match.index! > last) tokens.push({ kind: 'literal', text: pattern.slice(last, match.index) });
    tokens.push({ kind: 'capture', name: name(match) });
    last = match.index! + match[0].length;
  }
  if (last < pattern.length) tokens.push({ kind: 'literal', text: pattern.slice(last) });
  return tokens;
}
