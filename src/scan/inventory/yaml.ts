// YAML for extractors (pnpm-lock.yaml, pubspec.lock, Podfile.lock, yarn berry fallback): the `yaml` package
// with alias expansion bounded (entity-bomb style documents) and the line of the first error.
import { parse, YAMLError } from 'yaml';
import { errorMessage } from './extract.ts';

export type YamlParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly line?: number };

/** Parses one YAML document. Never throws (deep nesting that exhausts the stack becomes an error too). */
export function parseYaml(text: string): YamlParse {
  try {
    const value: unknown = parse(text, { maxAliasCount: 1000, uniqueKeys: false, prettyErrors: true, strict: false });
    return { ok: true, value };
  } catch (e) {
    const message = `invalid YAML: ${errorMessage(e)}`.slice(0, 300);
    if (e instanceof YAMLError && e.linePos?.[0] !== undefined) return { ok: false, message, line: e.linePos[0].line };
    return { ok: false, message };
  }
}
