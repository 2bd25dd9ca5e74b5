// pip requirements files (pip.pypa.io/en/stable/reference/requirements-file-format): only pinned
// requirements (`==` without a wildcard, `===`) name one version, so only they become packages, as in Trivy.
// Extras, environment markers, `--hash` options, comments and `\` continuations are understood; `-r`/`-c`
// includes are reported as issues, since a pure parser cannot open them (the walker reads those files itself
// when they are named requirements*.txt).
import { baseName, Collector, stripBom, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { pypiVersion } from './version.ts';

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/s;

/** Strips a comment: `#` at the start or after white space (a `#` inside a URL fragment is not one). */
function stripComment(line: string): string {
  if (line.startsWith('#')) return '';
  const m = /\s#/.exec(line);
  return m === null ? line : line.slice(0, m.index);
}

/** Parses a requirements file. */
export function parseRequirements(text: string, path: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const physical = stripBom(text).split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const startLine = i + 1;
    let line = stripComment(physical[i]!);
    // continuation: a trailing backslash joins the next physical line (comments end a logical line)
    while (/\\\s*$/.test(line) && i + 1 < physical.length) {
      line = line.replace(/\\\s*$/, ' ') + stripComment(physical[++i]!);
    }
    line = line.trim();
    if (line === '') continue;
    if (line.startsWith('-')) {
      const opt = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(line);
      if (opt !== null) {
        const kind = opt[1] === '-c' || opt[1] === '--constraint' ? 'constraints' : 'requirements';
        c.issue(`includes ${kind} file ${opt[2]!}: not followed here; scan that file too`, startLine);
      }
      // -e/--editable (local or VCS checkouts), --index-url, --hash … name no registry pin
      continue;
    }
    const m = NAME.exec(line);
    if (m === null) {
      // a bare URL, a path or a wheel file
      continue;
    }
    const name = m[1]!;
    let rest = m[3]!;
    // per-requirement options (`--hash=sha256:…`, `--global-option`) come after the specifier and markers
    const opt = /(?:^|\s)--?[a-z]/i.exec(rest);
    if (opt !== null) rest = rest.slice(0, opt.index);
    const semi = rest.indexOf(';');
    if (semi !== -1) rest = rest.slice(0, semi);
    rest = rest.trim();
    if (rest.startsWith('@')) continue; // `name @ https://…`: a direct URL, not a registry release
    let version: string | undefined;
    for (const spec of rest.split(',')) {
      const s = /^\s*(===|==)\s*([^\s,]+)\s*$/.exec(spec);
      if (s === null) continue;
      if (s[1] === '==' && s[2]!.endsWith('.*')) continue; // a prefix match pins nothing
      version = s[2]!;
    }
    if (version === undefined) continue;
    if (pypiVersion.parse(version) === undefined && !rest.includes('===')) {
      c.issue(`${name}: ${JSON.stringify(version)} is not a PEP 440 version`, startLine);
      continue;
    }
    c.add({ name, version, line: startLine });
  }
  return c.result();
}

/** requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements/base.txt, requirements.in is not (unpinned). */
export function isRequirementsFile(path: string): boolean {
  const base = baseName(path).toLowerCase();
  if (!base.endsWith('.txt')) return false;
  if (base.includes('requirements')) return true;
  return /(^|\/)requirements\/[^/]+\.txt$/i.test(path);
}

export const requirementsTxt: Extractor = {
  id: 'pypi/requirements',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  matches(path) {
    return isRequirementsFile(path) && !/(^|\/)(site-packages|node_modules)\//.test(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parseRequirements(text, path);
  },
};
