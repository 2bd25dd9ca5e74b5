import { parseTrivyIgnore } from './trivyignore.ts';
import { parseIgnoreYaml } from './ignore-yaml.ts';
import { parseOpenVex } from './openvex.ts';
import type { IgnoreFormat, ParsedIgnoreFile } from './types.ts';

// an ignore file is written by hand or by a vendor's VEX tool; anything this big is a mistake or an attack
const MAX_FILE_CHARS = 32 * 1024 * 1024;

/**
 * The format of an ignore file: by extension (`.json` OpenVEX, `.yaml`/`.yml` YAML), else by content (a JSON
 * object is OpenVEX, a `vulnerabilities:` key is YAML), else a plain .trivyignore.
 */
export function ignoreFormatOf(text: string, path: string): IgnoreFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'openvex';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{')) return 'openvex';
  if (/^(?:vulnerabilities|misconfigurations|secrets|licenses)\s*:/m.test(text)) return 'yaml';
  return 'trivyignore';
}

/**
 * Parses the file of `mamori scan --ignore FILE`: an OpenVEX document, a .trivyignore.yaml-style file or a
 * plain .trivyignore (see each parser for what it accepts). Pure and total: bad input becomes `issues` (with
 * the file and the line or statement) and whatever is valid is kept; reading the file is the caller's.
 */
export function parseIgnoreFile(text: string, path: string): ParsedIgnoreFile {
  const format = ignoreFormatOf(text, path);
  if (text.length > MAX_FILE_CHARS) {
    return {
      format,
      rules: [],
      issues: [{ location: path, message: `larger than ${MAX_FILE_CHARS / 1024 / 1024} MiB: not read` }],
    };
  }
  const body = text.replace(/^\uFEFF/, '');
  switch (format) {
    case 'openvex':
      return parseOpenVex(body, path);
    case 'yaml':
      return parseIgnoreYaml(body, path);
    case 'trivyignore':
      return parseTrivyIgnore(body, path);
  }
}
