// Bundler's Gemfile.lock (and gems.locked): the gems of the GEM and GIT sections' `specs:` (a PATH gem is the
// project's own code), platform suffixes dropped as bundler does (`nokogiri (1.16.0-x86_64-linux)` → 1.16.0),
// direct when listed under DEPENDENCIES.
import { baseName, Collector, stripBom, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';

/** Parses Gemfile.lock text. */
export function parseGemfileLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'RubyGems');
  const lines = stripBom(text).split(/\r?\n/);
  let section = '';
  let inSpecs = false;
  const found: { name: string; version: string; line: number }[] = [];
  const direct = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (section === 'DEPENDENCIES') {
      const m = /^ {2}([^\s!(]+)/.exec(line);
      if (m !== null) direct.add(m[1]!);
      continue;
    }
    if (section !== 'GEM' && section !== 'GIT' && section !== 'PLUGIN SOURCE') continue;
    if (/^ {2}specs:\s*$/.test(line)) {
      inSpecs = true;
      continue;
    }
    if (/^ {2}\S/.test(line)) {
      inSpecs = false;
      continue;
    }
    // a spec is indented 4; its own dependencies 6
    if (!inSpecs || !/^ {4}\S/.test(line)) continue;
    const m = /^ {4}(\S+) \(([^)]+)\)\s*$/.exec(line);
    if (m === null) {
      c.issue(`unexpected spec line ${JSON.stringify(line.trim().slice(0, 80))}`, i + 1);
      continue;
    }
    const dash = m[2]!.indexOf('-');
    const version = dash === -1 ? m[2]! : m[2]!.slice(0, dash);
    found.push({ name: m[1]!, version, line: i + 1 });
  }
  for (const f of found) c.add({ ...f, ...(direct.size > 0 ? { direct: direct.has(f.name) } : {}) });
  if (found.length === 0 && !lines.some((l) => l.startsWith('GEM') || l.startsWith('GIT') || l.startsWith('PATH'))) {
    c.issue('no GEM, GIT or PATH section: not a Gemfile.lock?');
  }
  return c.result();
}

export const gemfileLock: Extractor = {
  id: 'rubygems/gemfile-lock',
  ecosystem: 'RubyGems',
  kind: 'lockfile',
  matches(path) {
    const base = baseName(path);
    return (base === 'Gemfile.lock' || base === 'gems.locked') && !/(^|\/)(vendor\/bundle|gems)\//.test(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parseGemfileLock(text, path);
  },
};

/** This folder's extractors. */
export const rubygemsExtractors: readonly Extractor[] = [gemfileLock];
