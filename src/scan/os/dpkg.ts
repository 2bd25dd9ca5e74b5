// The dpkg database of Debian, Ubuntu and their derivatives: `var/lib/dpkg/status`, and the one-file-per-package
// `var/lib/dpkg/status.d/<name>` of distroless images (no Status field there: every entry is installed).
//
// Read: Package, Version, Source (`name` or `name (version)`, for binNMUs and separately versioned binaries),
// Architecture and Status. Listed: installed packages only, i.e. Status `<want> ok installed` (and the
// `triggers-awaited` / `triggers-pending` states, which dpkg counts as installed); config-files, half-installed,
// unpacked and not-installed entries are skipped. OSV Debian and Ubuntu records are keyed by SOURCE package:
// every package gets `sourceName`/`sourceVersion` (the binary's own when there is no Source field).
// Refused, as issues with their line: entries without Package or Version, names dpkg would not accept,
// lines that are not fields. Other fields, and continuation lines of multi-line fields, are skipped unread.
import { baseName, Collector, dirName, type Extractor, type RelatedFiles } from '../inventory/extract.ts';
import type { Extracted } from '../inventory/types.ts';
import { osPurl, prefixOf, releaseFilesFor, resolveTarget } from './common.ts';
import { rootPrefix } from './release.ts';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d';
const WANTED = new Set(['package', 'version', 'source', 'architecture', 'status']);
// dpkg's db:Status-Status values for which the package's files are installed and configured
const INSTALLED = new Set(['installed', 'triggers-awaited', 'triggers-pending']);
// policy 5.6.1: lower case, digits, + - . ; at least two characters (dpkg accepts one)
const NAME = /^[a-z0-9][a-z0-9+.-]*$/;
// policy 5.6.12: [epoch:]upstream[-revision], upstream starting with a digit
const VERSION = /^(?:\d+:)?[0-9][A-Za-z0-9.+~:-]*$/;

/** The rootfs prefix of a `status.d/<name>` file, or undefined (md5sums and hidden files are not entries). */
function statusDPrefix(path: string): string | undefined {
  const base = baseName(path);
  if (base === '' || base.startsWith('.') || base.endsWith('.md5sums')) return undefined;
  return rootPrefix(dirName(path), STATUS_D);
}

function dbPrefix(path: string): string | undefined {
  return prefixOf(path, [STATUS]) ?? statusDPrefix(path);
}

type Field = { readonly value: string; readonly line: number };

/** Parses a dpkg status file (or a distroless status.d entry when `distroless`). */
export function parseDpkgStatus(text: string, path: string, related?: RelatedFiles, distroless = false): Extracted {
  const prefix = dbPrefix(path) ?? '';
  const resolved = resolveTarget(path, prefix, related, 'deb');
  if (!resolved.ok) return { packages: [], issues: [resolved.issue] };
  const t = resolved.target;
  const c = new Collector(path, t.ecosystem);
  if (t.note !== undefined) c.issue(t.note);

  let fields = new Map<string, Field>();
  let start = 0; // line of the stanza's first field
  let last: string | undefined; // the field a continuation line would belong to

  const flush = () => {
    if (start === 0) return; // no field since the last blank line
    const at = start;
    const f = fields;
    fields = new Map();
    start = 0;
    last = undefined;
    const pkg = f.get('package');
    if (pkg === undefined) {
      c.issue('entry without a Package field: skipped', at);
      return;
    }
    const name = pkg.value;
    const status = f.get('status');
    if (status === undefined) {
      if (!distroless) {
        c.issue(`${name}: no Status field: skipped`, pkg.line);
        return;
      }
    } else {
      const words = status.value.split(/\s+/);
      if (words.length !== 3) {
        c.issue(
          `${name}: Status ${JSON.stringify(status.value)} is not "<want> <flag> <status>": skipped`,
          status.line,
        );
        return;
      }
      if (!INSTALLED.has(words[2]!) || words[1] !== 'ok') return;
    }
    if (!NAME.test(name)) {
      c.issue(`package name ${JSON.stringify(name)} is not a dpkg name: skipped`, pkg.line);
      return;
    }
    const version = f.get('version');
    if (version === undefined || version.value === '') {
      c.issue(`${name}: no Version: skipped`, pkg.line);
      return;
    }
    if (!VERSION.test(version.value))
      c.issue(`${name}: Version ${JSON.stringify(version.value)} is not a Debian version`, version.line);
    let sourceName = name;
    let sourceVersion = version.value;
    const source = f.get('source');
    if (source !== undefined) {
      const m = /^(\S+)(?:\s+\(([^()\s]+)\))?$/.exec(source.value);
      if (m === null || !NAME.test(m[1]!)) {
        c.issue(
          `${name}: Source ${JSON.stringify(source.value)} is not "name" or "name (version)": ignored`,
          source.line,
        );
      } else {
        sourceName = m[1]!;
        if (m[2] !== undefined) sourceVersion = m[2];
      }
    }
    const arch = f.get('architecture')?.value;
    c.add({
      name,
      version: version.value,
      line: pkg.line,
      sourceName,
      sourceVersion,
      purl: osPurl(t, name, version.value, { ...(arch !== undefined ? { arch } : {}), sourceName, sourceVersion }),
    });
  };

  let lineNo = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      flush();
      last = undefined;
      if (end === text.length) break;
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      // a continuation line: only multi-line fields have them (Description, Conffiles), none of which is read
      if (last === undefined) c.issue('continuation line outside a field: ignored', lineNo);
      else if (WANTED.has(last))
        c.issue(`field ${last} continues on a second line: the continuation is ignored`, lineNo);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      c.issue(
        `not a "Field: value" line: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)}`,
        lineNo,
      );
      last = undefined;
      continue;
    }
    if (start === 0) start = lineNo;
    const key = line.slice(0, colon).toLowerCase();
    last = key;
    if (!WANTED.has(key)) continue;
    if (fields.has(key)) {
      c.issue(`field ${line.slice(0, colon)} given twice in one entry: the first is used`, lineNo);
      continue;
    }
    fields.set(key, { value: line.slice(colon + 1).trim(), line: lineNo });
  }
  flush();
  return c.result();
}

/** `var/lib/dpkg/status` of a rootfs (at the scanned root or under a folder of it). */
export const dpkgStatus: Extractor = {
  id: 'os/dpkg',
  // Debian or Ubuntu (or a derivative), by os-release: the family's first ecosystem stands here
  ecosystem: 'Debian',
  kind: 'installed',
  matches(path) {
    return prefixOf(path, [STATUS]) !== undefined;
  },
  related(path) {
    return releaseFilesFor(path, [STATUS]);
  },
  extract(text, path, related) {
    return parseDpkgStatus(text, path, related);
  },
};

/** The distroless `var/lib/dpkg/status.d/<package>` entries. */
export const dpkgStatusD: Extractor = {
  id: 'os/dpkg-distroless',
  ecosystem: 'Debian',
  kind: 'installed',
  matches(path) {
    return statusDPrefix(path) !== undefined;
  },
  related(path) {
    const prefix = statusDPrefix(path);
    return prefix === undefined ? [] : releaseFilesFor(`${prefix}${STATUS}`, [STATUS]);
  },
  extract(text, path, related) {
    return parseDpkgStatus(text, path, related, true);
  },
};
