// The merged file system of an image: layers applied in order to an in-memory tree of nodes (names, types,
// sizes and where each file's bytes are), with the OCI whiteouts. Pure: the layer reader feeds it tar entries,
// and only the bytes some extractor wants are ever attached to a node.
//
// Semantics (OCI image-spec layer.md, as containerd applies them):
// - a later entry replaces whatever was at its path (a directory entry over a directory keeps the contents);
// - `.wh.<name>` deletes <name> of the lower layers, `.wh..wh..opq` hides every lower-layer entry of its
//   directory; both only affect lower layers, whatever their place in the layer's tar;
// - parent directories that are symlinks are followed inside the root (Debian's `lib -> usr/lib`), missing
//   ones are created;
// - hard links share their target's bytes; symlinks are kept and resolved on lookup, inside the root only
//   (a relative target that climbs above the root is "outside": never followed), at most 40 hops.

/** Where a regular file's bytes are: the layer and entry ordinal to stream them from, or the bytes themselves. */
export type Content = {
  readonly layer: number;
  /** 0-based index of the tar entry in its layer. */
  readonly ordinal: number;
  readonly size: number;
  bytes?: Uint8Array;
  /** Why the bytes could not be fetched, once a fetch failed (so it is not retried). */
  failed?: string;
};

type Dir = { kind: 'dir'; layer: number; children: Map<string, Node> };
type File = { kind: 'file'; layer: number; content: Content };
type Symlink = { kind: 'symlink'; layer: number; target: string };
type Other = { kind: 'other'; layer: number };
export type Node = Dir | File | Symlink | Other;

/** A tar entry as the layer reader gives it. */
export type LayerEntry = {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  readonly size: number;
  readonly linkname?: string;
};

export type Applied =
  | { readonly kind: 'file'; readonly path: string; readonly content: Content }
  | { readonly kind: 'done' }
  | { readonly kind: 'issue'; readonly message: string };

export type Resolved =
  | { readonly ok: true; readonly path: string; readonly node: Node }
  | { readonly ok: false; readonly reason: 'missing' | 'outside' | 'loop' | 'notdir'; readonly message: string };

const MAX_HOPS = 40;
// the depth of a path in a tar name is attacker-chosen: bound it (the walker stops far earlier)
const MAX_SEGMENTS = 1024;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

const REASON_MESSAGE = {
  missing: 'no such file in the image',
  outside: 'links outside the image',
  loop: 'too many levels of symbolic links',
  notdir: 'not a directory',
} as const;

/** The segments of a tar entry name (`./usr/lib/`, `/etc/x`), or undefined when it climbs with `..`. */
export function entrySegments(name: string): string[] | undefined {
  const segs: string[] = [];
  for (const s of name.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') return undefined;
    segs.push(s);
  }
  return segs;
}

/** The merged tree of an image's layers. */
export class LayeredFs {
  readonly root: Dir = { kind: 'dir', layer: -1, children: new Map() };

  /**
   * Applies one tar entry of `layer` (layers in increasing order). A regular file comes back with its `Content`,
   * for the caller to attach the bytes to when it wants them.
   */
  apply(layer: number, ordinal: number, entry: LayerEntry): Applied {
    const segs = entrySegments(entry.name);
    if (segs === undefined)
      return { kind: 'issue', message: 'the entry name climbs out of the root with "..": skipped' };
    if (segs.length > MAX_SEGMENTS)
      return { kind: 'issue', message: `more than ${MAX_SEGMENTS} path segments: skipped` };
    const name = segs.pop();
    if (name === undefined) return { kind: 'done' }; // the root directory itself
    const parent = this.#parent(segs, layer);
    if (!parent.ok) return { kind: 'issue', message: `${parent.message}: skipped` };
    const { dir, path: dirPath } = parent;
    if (name.startsWith(WHITEOUT)) {
      if (name === OPAQUE) prune(dir, layer);
      else if (!name.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
        // `.wh..wh.*` other than the opaque marker are aufs bookkeeping (`.wh..wh.plnk`): ignored
        const victim = dir.children.get(name.slice(WHITEOUT.length));
        if (victim !== undefined) {
          if (victim.layer < layer) dir.children.delete(name.slice(WHITEOUT.length));
          else if (victim.kind === 'dir') prune(victim, layer);
        }
      }
      return { kind: 'done' };
    }
    const path = dirPath === '' ? name : `${dirPath}/${name}`;
    const old = dir.children.get(name);
    switch (entry.type) {
      case 'dir':
        if (old?.kind === 'dir') old.layer = layer;
        else dir.children.set(name, { kind: 'dir', layer, children: new Map() });
        return { kind: 'done' };
      case 'file': {
        const content: Content = { layer, ordinal, size: entry.size };
        dir.children.set(name, { kind: 'file', layer, content });
        return { kind: 'file', path, content };
      }
      case 'symlink':
        dir.children.set(name, { kind: 'symlink', layer, target: entry.linkname ?? '' });
        return { kind: 'done' };
      case 'link': {
        // the target is named as an entry of the archive: looked up without following its last component
        const target = this.resolve(entry.linkname ?? '', false);
        if (!target.ok) return { kind: 'issue', message: `hard link to ${entry.linkname ?? ''}: ${target.message}` };
        const n = target.node;
        if (n.kind === 'dir') return { kind: 'issue', message: `hard link to the directory ${target.path}: skipped` };
        dir.children.set(
          name,
          n.kind === 'file' ? { kind: 'file', layer, content: n.content } : ({ ...n, layer } as Node),
        );
        return n.kind === 'file' ? { kind: 'file', path, content: n.content } : { kind: 'done' };
      }
      case 'other':
        dir.children.set(name, { kind: 'other', layer });
        return { kind: 'done' };
    }
  }

  /**
   * The directory that holds an entry: parent segments followed through symlinks, missing directories created,
   * and every directory on the way marked as touched by `layer` (so an opaque marker keeps what this layer adds).
   */
  #parent(segs: readonly string[], layer: number) {
    const r = this.#walk(segs, { create: layer, followLast: true });
    if (!r.ok) return r;
    if (r.node.kind !== 'dir') return { ok: false as const, message: REASON_MESSAGE.notdir };
    return { ok: true as const, dir: r.node, path: r.path };
  }

  /** Follows `path` (relative or absolute, inside the image) through symlinks; the last one too unless `followLast` is false. */
  resolve(path: string, followLast = true): Resolved {
    const segs = path.split('/').filter((s) => s !== '' && s !== '.');
    return this.#walk(segs, { followLast });
  }

  /** The node at a resolved path (no symlinks followed), or undefined. */
  lookup(path: string): Node | undefined {
    let node: Node = this.root;
    if (path === '') return node;
    for (const s of path.split('/')) {
      if (node.kind !== 'dir') return undefined;
      const next: Node | undefined = node.children.get(s);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  #walk(segs: readonly string[], opts: { create?: number; followLast: boolean }): Resolved {
    // the path so far as a stack of directories (for `..`), and what is left to walk, last segment on top
    const dirs: Dir[] = [this.root];
    const names: string[] = [];
    const pending = [...segs].reverse();
    let hops = 0;
    let last: Node = this.root;
    while (pending.length > 0) {
      const seg = pending.pop()!;
      const cur = dirs[dirs.length - 1]!;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (dirs.length === 1) return { ok: false, reason: 'outside', message: REASON_MESSAGE.outside };
        dirs.pop();
        names.pop();
        last = dirs[dirs.length - 1]!;
        continue;
      }
      let child = cur.children.get(seg);
      const isLast = pending.length === 0;
      if (child?.kind === 'symlink' && (!isLast || opts.followLast)) {
        if (++hops > MAX_HOPS) return { ok: false, reason: 'loop', message: REASON_MESSAGE.loop };
        const t = child.target;
        if (t === '') return { ok: false, reason: 'missing', message: REASON_MESSAGE.missing };
        if (t.startsWith('/')) {
          dirs.length = 1;
          names.length = 0;
        }
        const parts = t.split('/');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
        last = dirs[dirs.length - 1]!;
        continue;
      }
      if (isLast && opts.create === undefined) {
        if (child === undefined) return { ok: false, reason: 'missing', message: REASON_MESSAGE.missing };
        names.push(seg);
        return { ok: true, path: names.join('/'), node: child };
      }
      if (child === undefined || child.kind !== 'dir') {
        if (opts.create === undefined) {
          return child === undefined
            ? { ok: false, reason: 'missing', message: REASON_MESSAGE.missing }
            : { ok: false, reason: 'notdir', message: REASON_MESSAGE.notdir };
        }
        // a tar names a parent that is not there (or is a file): it becomes a directory, as tar would make it
        child = { kind: 'dir', layer: opts.create, children: new Map() };
        cur.children.set(seg, child);
      }
      dirs.push(child);
      names.push(seg);
      last = child;
    }
    if (opts.create !== undefined) for (const d of dirs) d.layer = opts.create;
    return { ok: true, path: names.join('/'), node: last };
  }
}

/** Hides what lower layers put under `dir`: removes every node older than `layer`, keeps (and descends) this layer's. */
function prune(dir: Dir, layer: number): void {
  const todo: Dir[] = [dir];
  while (todo.length > 0) {
    const d = todo.pop()!;
    for (const [name, child] of d.children) {
      if (child.layer < layer) d.children.delete(name);
      else if (child.kind === 'dir') todo.push(child);
    }
  }
}
