// go.mod (golang.org/ref/mod#go-mod-file): `require` lines and blocks, `// indirect`, `replace` applied (a
// replacement by a local path drops the module: it is built from the project's own tree), `exclude` noted.
// For modules declaring go < 1.17, whose go.mod does not list every module the build needs, the go.sum
// beside it adds the missing ones as indirect (last version listed, as Trivy does).
import { baseName, Collector, sibling, stripBom, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { goBinary } from './buildinfo.ts';

type Mod = { path: string; version: string; line: number; indirect: boolean };

/** Splits a directive's arguments: tokens, with Go's quoted strings (`"…"`, `` `…` ``) unquoted. */
function tokens(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m[1] !== undefined) {
      try {
        out.push(JSON.parse(`"${m[1]}"`) as string);
      } catch {
        out.push(m[1]);
      }
    } else out.push(m[2] ?? m[3]!);
  }
  return out;
}

function isVersion(v: string): boolean {
  return /^v\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);
}

/** `go 1.16` → true when the version is below 1.17 (or the directive is missing, as in old files). */
function before117(goVersion: string | undefined): boolean {
  if (goVersion === undefined) return true;
  const m = /^(\d+)\.(\d+)/.exec(goVersion);
  if (m === null) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 1 || (major === 1 && minor < 17);
}

/** go.sum → the last version listed for each module (the file is sorted, so the highest). */
function readGoSum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const f = raw.trim().split(/\s+/);
    if (f.length < 2) continue;
    const version = f[1]!.replace(/\/go\.mod$/, '');
    if (isVersion(version)) out.set(f[0]!, version);
  }
  return out;
}

/** Parses go.mod text, with the go.sum beside it when given. */
export function parseGoMod(text: string, path: string, goSum?: string): Extracted {
  const c = new Collector(path, 'Go');
  const lines = stripBom(text).split(/\r?\n/);
  let goVersion: string | undefined;
  let moduleLine: number | undefined;
  const requires: Mod[] = [];
  const replaces: { oldPath: string; oldVersion?: string; newPath: string; newVersion?: string; line: number }[] = [];
  const excludes = new Set<string>();
  let block: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const comment = raw.indexOf('//');
    const indirect = comment !== -1 && /^\s*indirect\s*(;|$)/.test(raw.slice(comment + 2));
    const line = (comment === -1 ? raw : raw.slice(0, comment)).trim();
    if (line === '') continue;
    let verb: string;
    let args: string;
    if (block !== undefined) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = line;
    } else {
      const m = /^(\S+)\s*(.*)$/.exec(line)!;
      verb = m[1]!;
      args = m[2]!;
      if (args === '(') {
        block = verb;
        continue;
      }
    }
    const t = tokens(args);
    switch (verb) {
      case 'module':
        moduleLine = i + 1;
        break;
      case 'go':
        goVersion = t[0];
        break;
      case 'require':
        if (t.length >= 2 && isVersion(t[1]!)) requires.push({ path: t[0]!, version: t[1]!, line: i + 1, indirect });
        else c.issue(`require ${JSON.stringify(args.slice(0, 120))}: not "path version"`, i + 1);
        break;
      case 'replace': {
        const arrow = t.indexOf('=>');
        if (arrow !== 1 && arrow !== 2) {
          c.issue(`replace ${JSON.stringify(args.slice(0, 120))}: not "old [version] => new [version]"`, i + 1);
          break;
        }
        const newPath = t[arrow + 1];
        if (newPath === undefined) break;
        replaces.push({
          oldPath: t[0]!,
          ...(arrow === 2 ? { oldVersion: t[1]! } : {}),
          newPath,
          ...(t[arrow + 2] !== undefined ? { newVersion: t[arrow + 2]! } : {}),
          line: i + 1,
        });
        break;
      }
      case 'exclude':
        if (t.length >= 2) excludes.add(`${t[0]!}@${t[1]!}`);
        break;
      default:
      // toolchain, retract, godebug, tool, ignore: nothing to inventory
    }
  }
  if (block !== undefined) c.issue(`unclosed ${block} ( block`);
  if (moduleLine === undefined && requires.length === 0) c.issue('no module directive: not a go.mod file?');

  const mods = new Map<string, Mod>();
  for (const r of requires) mods.set(r.path, r);
  for (const rep of replaces) {
    const old = mods.get(rep.oldPath);
    if (old === undefined) continue;
    if (rep.oldVersion !== undefined && rep.oldVersion !== old.version) continue;
    mods.delete(rep.oldPath);
    // a replacement by a directory (`../fork`, `./x`) is the project's own code: nothing to match
    if (rep.newVersion === undefined) continue;
    mods.set(rep.newPath, { path: rep.newPath, version: rep.newVersion, line: rep.line, indirect: old.indirect });
  }
  for (const m of mods.values()) {
    if (excludes.has(`${m.path}@${m.version}`)) {
      c.issue(
        `${m.path} ${m.version} is required but also excluded: go builds the next higher version, unknown here`,
        m.line,
      );
    }
    c.add({ name: m.path, version: m.version, line: m.line, direct: !m.indirect });
  }
  if (goSum !== undefined && before117(goVersion)) {
    const replaced = new Set(replaces.map((r) => r.oldPath));
    for (const [modPath, version] of readGoSum(goSum)) {
      if (mods.has(modPath) || replaced.has(modPath)) continue;
      c.add({ name: modPath, version, direct: false });
    }
  }
  return c.result();
}

export const goMod: Extractor = {
  id: 'go/gomod',
  ecosystem: 'Go',
  kind: 'lockfile',
  matches(path) {
    // modules in the module cache or vendor/ are dependencies' own go.mod files
    return baseName(path) === 'go.mod' && !/(^|\/)(vendor|pkg\/mod)\//.test(path);
  },
  related(path) {
    return [sibling(path, 'go.sum')];
  },
  extract(text: string, path: string, related?: RelatedFiles) {
    return parseGoMod(text, path, related?.get(sibling(path, 'go.sum')));
  },
};

/** This folder's extractors. */
export const goExtractors: readonly Extractor[] = [goMod, goBinary];
