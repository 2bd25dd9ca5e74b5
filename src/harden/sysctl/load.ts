// Which sysctl files are read, and in which order (sysctl.d(5); procps sysctl.c `PreloadSystem`):
// `*.conf` in etc/sysctl.d, run/sysctl.d, usr/local/lib/sysctl.d, usr/lib/sysctl.d, lib/sysctl.d, sorted by
// file name across all of them; a name found in an earlier (higher-priority) directory hides the same name in
// later ones — a symlink to /dev/null (unreadable here) masks the vendor file. Then the two readers differ:
//   - systemd-sysctl (what applies settings at boot) reads only those files; it ignores etc/sysctl.conf,
//     which Debian feeds it through the etc/sysctl.d/99-sysctl.conf → ../sysctl.conf symlink;
//   - procps `sysctl --system` reads the same files and then etc/sysctl.conf once more, last.
// A drop-in whose text is etc/sysctl.conf's (that symlink, as a root that follows links shows it) is taken as
// an alias: its lines are reported, and edited, in etc/sysctl.conf.
import type { ConfigRoot } from '../types.ts';
import { parseSysctlConf, type SysctlEntry } from './parse.ts';

export const SYSCTL_DIRS = [
  'etc/sysctl.d',
  'run/sysctl.d',
  'usr/local/lib/sysctl.d',
  'usr/lib/sysctl.d',
  'lib/sysctl.d',
] as const;
export const SYSCTL_CONF = 'etc/sysctl.conf';

export type Reader = 'systemd-sysctl' | 'sysctl --system';
export const READERS: readonly Reader[] = ['systemd-sysctl', 'sysctl --system'];

/** What was read from a root: directory listings and file texts (undefined: missing or not a regular file). */
export type SysctlRaw = {
  readonly listings: ReadonlyMap<string, readonly string[]>;
  readonly texts: ReadonlyMap<string, string | undefined>;
};

export type SysctlFile = { readonly path: string; readonly entries: readonly SysctlEntry[] };

export type DropIn = {
  readonly name: string;
  readonly path: string;
  /** Undefined when masked (listed but not a readable regular file: a /dev/null link, a directory). */
  readonly file?: SysctlFile;
  /** Hidden files (`.foo.conf`) are skipped by systemd's conf-files lister, not by procps. */
  readonly hidden: boolean;
  readonly aliasOf?: string;
};

export type SysctlTree = {
  readonly raw: SysctlRaw;
  /** In reading order (by name), each name once. */
  readonly dropIns: readonly DropIn[];
  /** Files hidden by a same-name file in a higher-priority directory. */
  readonly shadowed: readonly string[];
  readonly sysctlConf?: SysctlFile;
};

export async function readSysctlRaw(root: ConfigRoot): Promise<SysctlRaw> {
  const listings = new Map<string, readonly string[]>();
  const texts = new Map<string, string | undefined>();
  for (const dir of SYSCTL_DIRS) {
    const names = (await root.list(dir)).filter((n) => n.endsWith('.conf'));
    listings.set(dir, names);
    for (const n of names) texts.set(`${dir}/${n}`, await root.read(`${dir}/${n}`));
  }
  texts.set(SYSCTL_CONF, await root.read(SYSCTL_CONF));
  return { listings, texts };
}

/** Byte order, as strcmp/qsort sort the names (not locale order). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildTree(raw: SysctlRaw): SysctlTree {
  const chosen = new Map<string, string>();
  const shadowed: string[] = [];
  for (const dir of SYSCTL_DIRS) {
    for (const name of raw.listings.get(dir) ?? []) {
      const path = `${dir}/${name}`;
      if (chosen.has(name)) shadowed.push(path);
      else chosen.set(name, path);
    }
  }
  const confText = raw.texts.get(SYSCTL_CONF);
  const sysctlConf = confText === undefined ? undefined : { path: SYSCTL_CONF, entries: parseSysctlConf(confText) };
  const dropIns = [...chosen.entries()]
    .sort(([a], [b]) => byName(a, b))
    .map(([name, path]): DropIn => {
      const text = raw.texts.get(path);
      const hidden = name.startsWith('.');
      if (text === undefined) return { name, path, hidden };
      if (sysctlConf && text === confText && text.trim() !== '')
        return { name, path, hidden, file: sysctlConf, aliasOf: SYSCTL_CONF };
      return { name, path, hidden, file: { path, entries: parseSysctlConf(text) } };
    });
  return { raw, dropIns, shadowed, ...(sysctlConf ? { sysctlConf } : {}) };
}

/** The files a reader reads, in order. */
export function readingOrder(tree: SysctlTree, reader: Reader): SysctlFile[] {
  const files: SysctlFile[] = [];
  for (const d of tree.dropIns) {
    if (d.file === undefined) continue;
    if (reader === 'systemd-sysctl' && d.hidden) continue;
    files.push(d.file);
  }
  if (reader === 'sysctl --system' && tree.sysctlConf) files.push(tree.sysctlConf);
  return files;
}

/** The raw texts with some files replaced (or created); an edit of etc/sysctl.conf shows through its aliases. */
export function withTexts(tree: SysctlTree, changed: ReadonlyMap<string, string>): SysctlTree {
  const texts = new Map(tree.raw.texts);
  const listings = new Map(tree.raw.listings);
  const aliases = tree.dropIns.filter((d) => d.aliasOf !== undefined).map((d) => d.path);
  for (const [path, text] of changed) {
    texts.set(path, text);
    if (path === SYSCTL_CONF) for (const a of aliases) texts.set(a, text);
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash);
    const name = path.slice(slash + 1);
    const names = listings.get(dir);
    if (names !== undefined && !names.includes(name)) listings.set(dir, [...names, name].sort(byName));
  }
  return buildTree({ listings, texts });
}
