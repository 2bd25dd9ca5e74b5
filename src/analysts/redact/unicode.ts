// Characters a reader cannot see. A log line with a zero-width space inside "ig\u200Bnore" slips past a keyword
// filter; bidi overrides (U+202E) make a command line read differently from what runs ("Trojan Source"); Unicode
// tag characters (U+E0020–E007E) carry a whole hidden ASCII sentence that models read and people do not
// ("ASCII smuggling" prompt injection); ANSI escapes rewrite a terminal when the text is shown locally.
// We do not delete them — that would hide that someone tried — but write each one visibly, `[U+202E]`, and a run
// of tag characters as the text it hides, `[hidden-tags:"..."]`, so both the model and the analyst see it.

/**
 * What is escaped: format characters (Cf: zero-width, bidi embeddings/overrides/isolates, word joiner, BOM,
 * interlinear annotations, tags), controls except tab/LF/CR (C0, DEL, C1 incl. NEL), line/paragraph separators,
 * variation selectors (used to smuggle bytes), and the Hangul fillers that render as blank.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- these characters are what we look for
  /[\p{Cf}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFE00-\uFE0F\u115F\u1160\u3164\uFFA0\u{E0100}-\u{E01EF}]/u;
// eslint-disable-next-line no-misleading-character-class -- the same class as above
const INVISIBLE_G = new RegExp(INVISIBLE.source, 'gu');
/** A run of tag characters (U+E0000–E007F). */
const TAGS_G = /[\u{E0000}-\u{E007F}]+/gu;

function hex(cp: number): string {
  return `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
}

/**
 * Makes a string well-formed and visible: lone surrogates become U+FFFD (they break JSON encoders and some
 * providers reject the request), invisible characters become `[U+XXXX]`. Returns the text and how many
 * characters were escaped. Idempotent: the output has nothing left to escape.
 */
export function makeVisible(s: string): { text: string; escaped: number } {
  let text = s;
  let escaped = 0;
  if (!s.isWellFormed()) {
    text = s.toWellFormed();
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd && s.charCodeAt(i) !== 0xfffd) escaped++;
  }
  if (!INVISIBLE.test(text)) return { text, escaped };
  text = text.replace(TAGS_G, (run) => {
    escaped += run.length / 2;
    let hidden = '';
    for (const ch of run) {
      const c = ch.codePointAt(0)! - 0xe0000;
      // printable ASCII as itself; the brackets and quote that would end our marker, and the rest, as '?'
      hidden += c >= 0x20 && c <= 0x7e && c !== 0x5d && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : '?';
    }
    return `[hidden-tags:"${hidden}"]`;
  });
  text = text.replace(INVISIBLE_G, (ch) => {
    escaped++;
    return hex(ch.codePointAt(0)!);
  });
  return { text, escaped };
}
