// An opened image as the walker's FileTree: listings and symlinks from the merged index, file bytes from what
// the first pass kept, or else fetched by streaming their layer again — one pass per layer for everything the
// walk asks for at once (`prefetch`), so a related file or a link target costs one more read of one layer.
import { errorMessage } from '../inventory/extract.ts';
import type { FileTree, TreeEntry, TreeTarget } from '../inventory/walk.ts';
import type { ImageArchive } from './archive.ts';
import { readLayer } from './layer.ts';
import type { Content, LayeredFs } from './rootfs.ts';

/** A layer as the tree reads it again: its blob, or why it cannot be read. */
export type LayerSource = {
  readonly path: string;
  readonly algorithm: 'sha256' | 'sha512';
  readonly missing?: boolean;
};

/** Bytes held for the whole image (both passes), against its bound. */
export type Budget = { held: number; readonly max: number };

export class ImageTree implements FileTree {
  readonly label = 'the image';
  // the whole root is walked, so a linked directory is also reached by its real path: report that one
  readonly deferLinkedDirs = true;
  readonly #fs: LayeredFs;
  readonly #layers: readonly LayerSource[];
  readonly #archive: ImageArchive;
  readonly #budget: Budget;
  readonly #maxTarBytes: number;

  constructor(
    fs: LayeredFs,
    layers: readonly LayerSource[],
    archive: ImageArchive,
    budget: Budget,
    maxTarBytes: number,
  ) {
    this.#fs = fs;
    this.#layers = layers;
    this.#archive = archive;
    this.#budget = budget;
    this.#maxTarBytes = maxTarBytes;
  }

  /** Bytes of file contents held in memory. */
  get heldBytes(): number {
    return this.#budget.held;
  }

  async list(path: string): Promise<readonly TreeEntry[]> {
    const node = this.#fs.lookup(path);
    if (node?.kind !== 'dir')
      throw new Error(node === undefined ? 'no such directory in the image' : 'not a directory');
    const out: TreeEntry[] = [];
    for (const [name, child] of node.children) out.push({ name, type: child.kind === 'other' ? 'other' : child.kind });
    return out;
  }

  async resolve(path: string): Promise<TreeTarget> {
    return this.resolveSync(path);
  }

  /** `resolve` without the promise, for callers outside the walker. */
  resolveSync(path: string): TreeTarget {
    const r = this.#fs.resolve(path);
    if (!r.ok)
      return {
        ok: false,
        reason: r.reason === 'outside' ? 'outside' : r.reason === 'loop' ? 'error' : 'missing',
        message: r.message,
      };
    const n = r.node;
    if (n.kind === 'file') return { ok: true, path: r.path, type: 'file', size: n.content.size };
    return { ok: true, path: r.path, type: n.kind === 'dir' ? 'dir' : 'other', size: 0 };
  }

  async read(path: string, max: number): Promise<Uint8Array> {
    const node = this.#fs.lookup(path);
    if (node?.kind !== 'file') throw new Error(node === undefined ? 'no such file in the image' : 'not a regular file');
    const c = node.content;
    if (c.bytes === undefined && c.failed === undefined) await this.#fetch([c], max);
    if (c.bytes === undefined) throw new Error(c.failed ?? 'not read');
    return c.bytes.length > max ? c.bytes.subarray(0, max + 1) : c.bytes;
  }

  async prefetch(paths: readonly string[], maxBytes: number): Promise<void> {
    const want = new Set<Content>();
    for (const p of paths) {
      const r = this.#fs.resolve(p);
      if (!r.ok || r.node.kind !== 'file') continue;
      const c = r.node.content;
      if (c.bytes === undefined && c.failed === undefined && c.size <= maxBytes) want.add(c);
    }
    if (want.size > 0) await this.#fetch([...want], maxBytes);
  }

  /** Streams each layer that holds some of `contents` once, keeping their bytes (within the image's budget). */
  async #fetch(contents: readonly Content[], maxBytes: number): Promise<void> {
    const byLayer = new Map<number, Map<number, Content>>();
    for (const c of contents) {
      if (c.size > maxBytes) {
        c.failed = `${c.size} bytes, over the ${maxBytes}-byte limit`;
        continue;
      }
      let m = byLayer.get(c.layer);
      if (m === undefined) byLayer.set(c.layer, (m = new Map()));
      m.set(c.ordinal, c);
    }
    for (const [layer, wanted] of [...byLayer].sort((a, b) => a[0] - b[0])) {
      const source = this.#layers[layer];
      if (source === undefined || source.missing === true) {
        for (const c of wanted.values()) c.failed = 'its layer is missing from the image';
        continue;
      }
      let left = wanted.size;
      const budget = this.#budget;
      let overBudget = false;
      const read = await readLayer(
        this.#archive,
        source.path,
        {
          entry(ordinal) {
            const c = wanted.get(ordinal);
            if (c === undefined) return false;
            if (budget.held + c.size > budget.max) {
              c.failed = `the image's ${budget.max}-byte read budget is spent`;
              overBudget = true;
              left--;
              return false;
            }
            budget.held += c.size;
            return true;
          },
          body(ordinal, bytes) {
            const c = wanted.get(ordinal);
            if (c !== undefined) c.bytes = bytes;
            left--;
          },
          done: () => left <= 0,
        },
        { maxTarBytes: this.#maxTarBytes, algorithm: source.algorithm },
      ).catch((e: unknown) => ({ error: errorMessage(e) }));
      for (const c of wanted.values())
        if (c.bytes === undefined && c.failed === undefined)
          c.failed = `layer ${layer + 1} (${source.path}) could not be read again: ${read.error ?? (overBudget ? 'over budget' : 'entry not found')}`;
    }
  }
}
