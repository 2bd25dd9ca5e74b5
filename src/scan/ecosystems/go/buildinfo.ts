// Go executables' embedded build info (the `.go.buildinfo` data that `go version -m` and `debug/buildinfo`
// read): the toolchain version, reported as the package `stdlib` (the Go vulnerability database's name for the
// standard library), the main module and every module compiled in, as Trivy's gobinary analyzer and
// osv-scanner report them.
//
// The blob starts with the 14-byte magic "\xff Go buildinf:" at a 16-byte aligned offset, then a pointer size
// and a flags byte. Since Go 1.18 (flags & 2) the version and the module info follow the 32-byte header inline,
// each as a uvarint length and its bytes; older binaries store pointers to them, which would need the
// executable's sections and address map: those are reported as not read. The blob is found by one aligned scan
// of the file, not by parsing ELF/PE/Mach-O: only their magic at offset 0 is checked, so that a script in
// bin/ costs four byte compares.
import { baseName, Collector, dirName, type Extractor } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';

// "\xff Go buildinf:"
const MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a] as const;
const HEADER_BYTES = 32;
const FLAG_INLINE = 0x2;
// the module info is framed by these 16 bytes at each end (cmd/go/internal/modload)
const SENTINEL_BYTES = 16;

type Module = { path: string; version: string; replace?: { path: string; version: string } };

/** ELF, PE (MZ) or Mach-O (thin or fat) by the first bytes; undefined for anything else. */
export function executableFormat(b: Uint8Array): 'elf' | 'pe' | 'macho' | undefined {
  if (b.length < 4) return undefined;
  const [b0, b1, b2, b3] = [b[0]!, b[1]!, b[2]!, b[3]!];
  if (b0 === 0x7f && b1 === 0x45 && b2 === 0x4c && b3 === 0x46) return 'elf';
  if (b0 === 0x4d && b1 === 0x5a) return 'pe';
  const be = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  if (be === 0xfeedface || be === 0xfeedfacf || be === 0xcefaedfe || be === 0xcffaedfe) return 'macho';
  // fat (universal) Mach-O; Java class files share the magic but never carry the Go blob, so cost only a scan
  if (be === 0xcafebabe) return 'macho';
  return undefined;
}

/** Offsets of the aligned magic, in file order. One pass, a byte compare per 16 bytes on the common path. */
function* magicOffsets(b: Uint8Array): Generator<number> {
  const last = b.length - HEADER_BYTES;
  for (let i = 0; i <= last; i += 16) {
    if (b[i] !== 0xff || b[i + 1] !== 0x20) continue;
    let ok = true;
    for (let k = 2; k < MAGIC.length; k++) {
      if (b[i + k] !== MAGIC[k]) {
        ok = false;
        break;
      }
    }
    if (ok) yield i;
  }
}

type Varint = { value: number; next: number } | { error: string };

/** An unsigned LEB128 varint (encoding/binary.Uvarint) at `pos`, bounded to what the file can hold. */
function uvarint(b: Uint8Array, pos: number): Varint {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = b[pos + i];
    if (byte === undefined) return { error: 'truncated length' };
    value += (byte & 0x7f) * scale;
    // the length comes from the file: anything past its end is hostile or damaged, whatever the precision
    if (value > b.length) return { error: `length ${value > 2 ** 53 ? 'over 2^53' : value} past the end of the file` };
    if ((byte & 0x80) === 0) return { value, next: pos + i + 1 };
    scale *= 128;
  }
  return { error: 'length varint longer than 10 bytes' };
}

type Blob =
  | { kind: 'inline'; goVersion: string; modInfo: Uint8Array; offset: number }
  | { kind: 'pointers'; offset: number }
  | { kind: 'bad'; offset: number; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** Reads the header and inline strings at a magic offset. */
function readBlob(b: Uint8Array, at: number): Blob | undefined {
  const ptrSize = b[at + 14];
  const flags = b[at + 15]!;
  // the magic also appears as a string constant in binaries that read build info (the go command): a header
  // with an impossible pointer size is not the blob
  if (ptrSize !== 4 && ptrSize !== 8) return undefined;
  if ((flags & FLAG_INLINE) === 0) return { kind: 'pointers', offset: at };
  const v = uvarint(b, at + HEADER_BYTES);
  if ('error' in v) return { kind: 'bad', offset: at, message: `Go version: ${v.error}` };
  if (v.next + v.value > b.length)
    return { kind: 'bad', offset: at, message: 'Go version runs past the end of the file' };
  const goVersion = decodeUtf8(b.subarray(v.next, v.next + v.value));
  if (goVersion === undefined || !/^(go\d|devel )/.test(goVersion)) return undefined;
  const m = uvarint(b, v.next + v.value);
  if ('error' in m) return { kind: 'bad', offset: at, message: `module info: ${m.error}` };
  if (m.next + m.value > b.length)
    return { kind: 'bad', offset: at, message: 'module info runs past the end of the file' };
  return { kind: 'inline', goVersion, modInfo: b.subarray(m.next, m.next + m.value), offset: at };
}

function locate(b: Uint8Array): Blob | undefined {
  let fallback: Blob | undefined;
  for (const at of magicOffsets(b)) {
    const blob = readBlob(b, at);
    if (blob === undefined) continue;
    if (blob.kind === 'inline') return blob;
    fallback ??= blob;
  }
  return fallback;
}

/**
 * `go1.22.3 X:boringcrypto` → `1.22.3`, `go1.20` → `1.20.0`, `go1.21rc2` → `1.21.0-rc.2` (the SemVer spelling
 * of the Go vulnerability database's stdlib records); undefined for a development toolchain (`devel go1.23-…`).
 */
function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:\s|$)/.exec(goVersion);
  if (m === null) return undefined;
  const pre = m[4] === undefined ? '' : `-${m[4]}.${m[5]!}`;
  return `${m[1]!}.${m[2]!}.${m[3] ?? '0'}${pre}`;
}

// a module path as the build info can hold it: no blanks or control characters (the fields are tab-separated)
const MODULE_PATH = /^[^\s\p{Cc}]+$/u;

function snippet(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

/** Parses the module info text (`path`, `mod`, `dep`, `=>`, `build` lines) into the main module and the deps. */
function parseModInfo(text: string, c: Collector): { main?: Module; deps: Module[] } {
  let main: Module | undefined;
  const deps: Module[] = [];
  let last: Module | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split('\t');
    const key = f[0];
    if (key === 'path' || key === 'build') continue;
    if (key !== 'mod' && key !== 'dep' && key !== '=>') {
      c.issue(`build info line ${snippet(line)}: unknown, skipped`);
      continue;
    }
    const path = f[1] ?? '';
    const version = f[2] ?? '';
    // a replacement by a directory has no version (`(devel)`); anything else needs both fields
    if (!MODULE_PATH.test(path) || (key !== '=>' && version === '') || /\s/.test(version)) {
      c.issue(`build info line ${snippet(line)}: not "${key}<TAB>path<TAB>version[<TAB>sum]"`);
      last = undefined;
      continue;
    }
    if (key === '=>') {
      if (last === undefined) c.issue(`build info line ${snippet(line)}: a replacement of nothing`);
      else last.replace = { path, version };
      last = undefined;
      continue;
    }
    const mod: Module = { path, version };
    if (key === 'mod') main = mod;
    else deps.push(mod);
    last = mod;
  }
  return main === undefined ? { deps } : { main, deps };
}

/** A module as built: its replacement when it has one. */
function effective(m: Module): { path: string; version: string } {
  return m.replace ?? m;
}

/** Whether a version names a build from a directory, not a published version. */
const isDevel = (v: string) => v === '' || v === '(devel)';

/** Parses a Go executable's bytes; non-executables and executables without Go build info give nothing. */
export function parseGoBinary(bytes: Uint8Array, path: string): Extracted {
  const c = new Collector(path, 'Go');
  if (executableFormat(bytes) === undefined) return c.result();
  const blob = locate(bytes);
  if (blob === undefined) return c.result(); // not a Go program (or packed, e.g. UPX): nothing to say
  if (blob.kind === 'pointers') {
    c.issue('Go build info of a binary built before Go 1.18 (stored by pointer): not read, its modules are unknown');
    return c.result();
  }
  if (blob.kind === 'bad') {
    c.issue(`Go build info at offset ${blob.offset}: ${blob.message}; not read`);
    return c.result();
  }
  const std = stdlibVersion(blob.goVersion);
  if (std !== undefined) c.add({ name: 'stdlib', version: std, direct: true });
  else c.issue(`built by Go toolchain ${snippet(blob.goVersion.slice(0, 200))}: not a release, stdlib version unknown`);

  const info = blob.modInfo;
  if (info.length === 0) return c.result(); // built outside module mode (GOPATH): the toolchain is all we know
  // the text sits between two 16-byte sentinels, its last line ending just before the second
  if (info.length < 2 * SENTINEL_BYTES + 1 || info[info.length - SENTINEL_BYTES - 1] !== 0x0a) {
    c.issue('Go module info is not framed as the Go toolchain writes it: not read');
    return c.result();
  }
  const text = decodeUtf8(info.subarray(SENTINEL_BYTES, info.length - SENTINEL_BYTES));
  if (text === undefined) {
    c.issue('Go module info is not UTF-8: not read');
    return c.result();
  }
  const { main, deps } = parseModInfo(text, c);
  if (main !== undefined) {
    const m = effective(main);
    // `go build` in a checkout stamps `(devel)`: the project itself, listed but not matched. `go install m@v`
    // stamps the real version, which is matched too (osv-scanner does; Trivy lists it as the root only)
    if (isDevel(m.version)) c.add({ name: m.path, version: '(devel)', root: true });
    else c.add({ name: m.path, version: m.version });
  }
  for (const d of deps) {
    const m = effective(d);
    // replaced by a directory (`=> ../fork`): the project's own code, nothing to match (as go.mod does)
    if (isDevel(m.version)) continue;
    c.add({ name: m.path, version: m.version });
  }
  return c.result();
}

// Where executables live. Every claimed file is read whole (up to the walker's limit), so the places are
// narrow: directories named bin/sbin (any depth: /usr/local/bin, GOPATH/bin, /opt/x/bin), docker's
// cli-plugins, and from the root of the tree libexec, /opt, /app and ko's /ko-app, plus files at the root itself
// without an extension (distroless and scratch images: /manager, /server).
const EXEC_DIRS = new Set(['bin', 'sbin', 'cli-plugins']);
const EXEC_TREES = /^(usr\/libexec|usr\/local\/libexec|opt|app|ko-app)\//;

// Names that are not executables. Shared libraries (.so, .dylib, .dll) are left out too: Go's c-shared
// libraries do carry build info, but they are rare and the other shared libraries under /opt many and large.
const NOT_BINARY =
  /\.(a|o|h|c|cc|cpp|go|rs|java|class|jar|war|ear|py|pyc|pyo|pyi|rb|pl|pm|php|js|mjs|cjs|ts|lua|tcl|sh|bash|zsh|fish|csh|ps1|psm1|bat|cmd|vbs|txt|md|rst|html?|css|xml|json|ya?ml|toml|ini|cfg|conf|properties|env|log|csv|tsv|pem|crt|cer|key|pub|asc|sig|gz|tgz|bz2|xz|zst|zip|7z|tar|deb|rpm|apk|png|jpe?g|gif|svg|ico|bmp|webp|ttf|otf|woff2?|mo|po|pot|qm|map|lock|sum|mod|so(\.\d+)*|dylib|dll|sys)$/i;

/** Go executables in an installed tree: read from their bytes (`extractBytes`). */
export const goBinary: Extractor = {
  id: 'go/binary',
  ecosystem: 'Go',
  kind: 'installed',
  matches(path) {
    const name = baseName(path);
    if (name.startsWith('.') || NOT_BINARY.test(name)) return false;
    const dir = dirName(path);
    if (dir === '') return !name.includes('.') || name.toLowerCase().endsWith('.exe');
    return EXEC_DIRS.has(baseName(dir)) || EXEC_TREES.test(path);
  },
  extract(_text, path) {
    return {
      packages: [],
      issues: [{ location: path, message: 'a Go executable is read from its bytes (extractBytes), not as text' }],
    };
  },
  extractBytes(bytes, path) {
    return parseGoBinary(bytes, path);
  },
};
