// Opening a container image: `docker save` (manifest.json: Config, RepoTags, Layers) or an OCI image layout
// (oci-layout + index.json → an image index, followed to one platform's manifest → config and layers in
// blobs/<alg>/<hex>), as a directory or a tar of one. Every layer is streamed once, in order, into the merged
// index (rootfs.ts); the bytes of the files `wanted` claims are kept on the way, the rest flows through.
//
// The image as a whole failing (not an image, no manifest, an ambiguous choice) throws ImageError; damage
// inside it (a missing blob, a layer that does not inflate or ends early, a digest that does not match) is an
// issue naming the layer, and what was read stands — later layers are still applied.
import { createHash } from 'node:crypto';
import { errorMessage } from '../inventory/extract.ts';
import type { ExtractIssue } from '../inventory/types.ts';
import { openArchive, type ImageArchive } from './archive.ts';
import { ImageError } from './errors.ts';
import { readLayer } from './layer.ts';
import { LayeredFs, type Content } from './rootfs.ts';
import type { Descriptor } from './schema.ts';
import {
  DockerManifest,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  OciLayout,
  schemaMessage,
} from './schema.ts';
import { ImageTree, type Budget, type LayerSource } from './tree.ts';
import type { z } from 'zod';

export type ImageFormat = 'docker-save' | 'oci-layout';

export type ImageLayer = {
  /** 0-based, in the order layers are applied. */
  readonly index: number;
  /** The blob inside the archive (`blobs/sha256/<hex>`, `<id>/layer.tar`). */
  readonly path: string;
  /** The blob's digest: the manifest's, or computed while reading when the manifest names none. */
  readonly digest?: string;
  /** The uncompressed tar's digest, from the config's rootfs.diff_ids. */
  readonly diffId?: string;
  readonly mediaType?: string;
  /** Bytes of the blob as stored. */
  readonly size?: number;
  /** As sniffed from the blob's first bytes. */
  readonly compression?: 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';
  readonly entries?: number;
};

export type ImageHistoryEntry = {
  readonly created?: string;
  readonly createdBy?: string;
  readonly comment?: string;
  readonly emptyLayer?: boolean;
};

export type ImageInfo = {
  /** The path the image was opened from. */
  readonly source: string;
  readonly format: ImageFormat;
  /** `alpine:3.19`, `docker.io/library/alpine:3.19` (docker's RepoTags, the OCI ref-name annotations). */
  readonly repoTags: readonly string[];
  /** The reference asked for, else the first tag. */
  readonly reference?: string;
  /** The chosen manifest's digest (OCI layouts). */
  readonly manifestDigest?: string;
  readonly configDigest?: string;
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly layers: readonly ImageLayer[];
  readonly history: readonly ImageHistoryEntry[];
  /** Every platform the archive offers (`linux/amd64`, `linux/arm/v7`), for choosing another. */
  readonly platforms: readonly string[];
};

export type OpenImageOptions = {
  /** `os/arch[/variant]` to pick from an image index (default: the only one, else linux/amd64). */
  readonly platform?: string;
  /** The image to pick when the archive holds several (a RepoTag, an OCI ref name). */
  readonly reference?: string;
  /** Paths (inside the image, no leading slash) whose bytes to keep while streaming: the extractors' files. */
  readonly wanted?: (path: string) => boolean;
  /** Bytes kept of one file (default 128 MiB); larger ones are listed but not kept. */
  readonly maxFileBytes?: number;
  /** Bytes kept for the whole image, both passes (default 1 GiB). */
  readonly maxImageBytes?: number;
  /** Tar entries indexed over all layers (default 2,000,000). */
  readonly maxEntries?: number;
  /** Uncompressed bytes of one layer (default 64 GiB): a decompression bomb stops there. */
  readonly maxLayerBytes?: number;
};

/** An opened image: its metadata, its merged file system, and the problems met. `close` releases the file. */
export type Image = {
  readonly info: ImageInfo;
  readonly tree: ImageTree;
  readonly issues: readonly ExtractIssue[];
  close(): Promise<void>;
};

// manifests, indexes and configs are small; a hostile one is not read whole
const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_INDEX_DEPTH = 4;
const MAX_ISSUES_PER_LAYER = 100;

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

type LayerPlan = {
  readonly path: string;
  readonly digest?: string;
  readonly diffId?: string;
  readonly mediaType?: string;
  readonly size?: number;
};

type Plan = {
  readonly format: ImageFormat;
  readonly repoTags: readonly string[];
  readonly manifestDigest?: string;
  readonly configDigest?: string;
  readonly configPath: string;
  readonly config?: ImageConfig;
  readonly layers: readonly LayerPlan[];
  readonly platforms: readonly string[];
};

/** Opens a docker save tar, an OCI layout directory or a tar of one. Throws ImageError when it is none of them. */
export async function openImage(path: string, options: OpenImageOptions = {}): Promise<Image> {
  const archive = await openArchive(path);
  try {
    return await load(path, archive, options);
  } catch (e) {
    await archive.close();
    throw e;
  }
}

async function load(source: string, archive: ImageArchive, options: OpenImageOptions): Promise<Image> {
  const issues: ExtractIssue[] = [];
  const issue = (location: string, message: string) => issues.push({ location, message });
  if (archive.damaged !== undefined) issue(source, `the archive is damaged: ${archive.damaged}`);

  const plan = (await archive.member('manifest.json'))
    ? await dockerPlan(archive, options, issue)
    : (await archive.member('index.json'))
      ? await ociPlan(archive, options, issue)
      : fail(
          'IMAGE_INVALID',
          `${source}: neither a docker save archive (manifest.json) nor an OCI image layout (oci-layout, index.json)`,
        );

  const cfg = plan.config;
  const platform = cfg?.os !== undefined && cfg.architecture !== undefined ? platformName(cfg) : undefined;
  if (options.platform !== undefined && platform !== undefined && !platformMatches(options.platform, cfg!))
    fail('IMAGE_NOT_IN_ARCHIVE', `${source}: the image is ${platform}, not ${options.platform}`);

  const maxFileBytes = options.maxFileBytes ?? 128 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 2_000_000;
  const maxTarBytes = options.maxLayerBytes ?? 64 * 1024 ** 3;
  const budget: Budget = { held: 0, max: options.maxImageBytes ?? 1024 ** 3 };
  const wanted = options.wanted ?? (() => false);
  const diffIds = cfg?.rootfs?.diff_ids ?? [];
  if (cfg !== undefined && diffIds.length > 0 && diffIds.length !== plan.layers.length)
    issue(plan.configPath, `the config lists ${diffIds.length} layers, the manifest ${plan.layers.length}`);

  const fs = new LayeredFs();
  const sources: LayerSource[] = [];
  const layers: ImageLayer[] = [];
  let indexed = 0;
  let full = false;
  for (const [i, l] of plan.layers.entries()) {
    const what = `layer ${i + 1} of ${plan.layers.length}`;
    const algorithm = l.digest?.startsWith('sha512:') === true ? 'sha512' : 'sha256';
    const diffId = l.diffId ?? diffIds[i];
    const base = {
      index: i,
      path: l.path,
      ...(l.digest !== undefined ? { digest: l.digest } : {}),
      ...(diffId !== undefined ? { diffId } : {}),
      ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}),
    };
    const member = await archive.member(l.path);
    if (member === undefined || full) {
      if (!full) issue(l.path, `${what}: the blob is missing from the image: its files are not scanned`);
      sources.push({ path: l.path, algorithm, missing: true });
      layers.push({ ...base, ...(l.size !== undefined ? { size: l.size } : {}) });
      continue;
    }
    if (l.size !== undefined && member.size !== l.size && member.truncated !== true)
      issue(l.path, `${what}: the blob is ${member.size} bytes, the manifest says ${l.size}`);
    sources.push({ path: l.path, algorithm });
    const keep = new Map<number, Content>();
    let layerIssues = 0;
    const read = await readLayer(
      archive,
      l.path,
      {
        entry(ordinal, e) {
          if (++indexed > maxEntries) {
            if (!full) issue(l.path, `${what}: more than ${maxEntries} entries in the image: the rest is not indexed`);
            full = true;
            return false;
          }
          const r = fs.apply(i, ordinal, e);
          if (r.kind === 'issue') {
            if (++layerIssues <= MAX_ISSUES_PER_LAYER) issue(e.name.replace(/^\.?\/+/, ''), `${what}: ${r.message}`);
            return false;
          }
          if (r.kind !== 'file') return false;
          const c = r.content;
          // a hard link's content is its target's, read (or not) with the target
          if (c.layer !== i || c.ordinal !== ordinal || c.size > maxFileBytes || !wanted(r.path)) return false;
          if (budget.held + c.size > budget.max) return false;
          budget.held += c.size;
          keep.set(ordinal, c);
          return true;
        },
        body(ordinal, bytes) {
          const c = keep.get(ordinal);
          if (c !== undefined) c.bytes = bytes;
        },
        done: () => full,
      },
      { maxTarBytes, algorithm },
    );
    if (layerIssues > MAX_ISSUES_PER_LAYER)
      issue(l.path, `${what}: ${layerIssues - MAX_ISSUES_PER_LAYER} more entry issues not listed`);
    if (read.error !== undefined) {
      const where = read.lastEntry !== undefined ? ` after ${read.entries} entries (last: ${read.lastEntry})` : '';
      issue(l.path, `${what}: ${read.error}${where}; the rest of this layer is not scanned`);
    }
    if (read.digest !== undefined) {
      if (l.digest !== undefined && read.digest !== l.digest)
        issue(l.path, `${what}: digest mismatch: the blob hashes to ${read.digest}, the manifest says ${l.digest}`);
      else if (l.digest === undefined && read.compression === 'none' && diffId !== undefined && read.digest !== diffId)
        issue(
          l.path,
          `${what}: digest mismatch: the layer hashes to ${read.digest}, the config's diff_id is ${diffId}`,
        );
    }
    const digest = l.digest ?? read.digest;
    layers.push({
      ...base,
      ...(digest !== undefined ? { digest } : {}),
      size: member.size,
      compression: read.compression,
      entries: read.entries,
    });
  }

  const history = (cfg?.history ?? []).map((h) => ({
    ...(h.created !== undefined ? { created: h.created } : {}),
    ...(h.created_by !== undefined ? { createdBy: h.created_by } : {}),
    ...(h.comment !== undefined ? { comment: h.comment } : {}),
    ...(h.empty_layer !== undefined ? { emptyLayer: h.empty_layer } : {}),
  }));
  const reference = options.reference ?? plan.repoTags[0];
  const info: ImageInfo = {
    source,
    format: plan.format,
    repoTags: plan.repoTags,
    ...(reference !== undefined ? { reference } : {}),
    ...(plan.manifestDigest !== undefined ? { manifestDigest: plan.manifestDigest } : {}),
    ...(plan.configDigest !== undefined ? { configDigest: plan.configDigest } : {}),
    ...(cfg?.os !== undefined ? { os: cfg.os } : {}),
    ...(cfg?.architecture !== undefined ? { architecture: cfg.architecture } : {}),
    ...(cfg?.variant !== undefined ? { variant: cfg.variant } : {}),
    ...(cfg?.created !== undefined ? { created: cfg.created } : {}),
    layers,
    history,
    platforms: plan.platforms.length > 0 ? plan.platforms : platform !== undefined ? [platform] : [],
  };
  const tree = new ImageTree(fs, sources, archive, budget, maxTarBytes);
  return { info, tree, issues, close: () => archive.close() };
}

type Issue = (location: string, message: string) => void;

function fail(code: ConstructorParameters<typeof ImageError>[0], message: string): never {
  throw new ImageError(code, message);
}

/** `os/arch[/variant]`. */
function platformName(p: { os?: string; architecture?: string; variant?: string }): string {
  return `${p.os ?? 'unknown'}/${p.architecture ?? 'unknown'}${p.variant !== undefined && p.variant !== '' ? `/${p.variant}` : ''}`;
}

/** Whether `wanted` (`linux/arm64`, `linux/arm/v7`) names this platform; a missing variant matches any. */
function platformMatches(wanted: string, p: { os?: string; architecture?: string; variant?: string }): boolean {
  const [os, arch, variant] = wanted.split('/');
  if (os !== p.os || arch !== p.architecture) return false;
  return variant === undefined || variant === p.variant;
}

/** `docker.io/library/alpine:3.19` and `alpine:3.19` name the same image; `alpine` means `alpine:latest`. */
function normalizeRef(ref: string): string {
  let r = ref.replace(/^(docker\.io|index\.docker\.io)\//, '');
  r = r.replace(/^library\//, '');
  const lastSlash = r.lastIndexOf('/');
  if (!r.includes('@') && !r.slice(lastSlash + 1).includes(':')) r += ':latest';
  return r;
}

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

/** The digest a blob's name promises: `blobs/sha256/<hex>`, docker's `<hex>.json` config. */
function digestOfName(path: string): string | undefined {
  const m = /^(?:blobs\/(sha256|sha512)\/)?([a-f0-9]{64}|[a-f0-9]{128})(?:\.json)?$/.exec(path);
  if (m === null) return undefined;
  return `${m[1] ?? 'sha256'}:${m[2]}`;
}

function hashOf(bytes: Uint8Array, algorithm: string): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A small JSON member, size-bounded, checked against `digest` when given; undefined (with an issue) when it cannot be. */
async function readJson(
  archive: ImageArchive,
  path: string,
  digest: string | undefined,
  issue: Issue,
): Promise<{ value: unknown; digest: string } | undefined> {
  const m = await archive.member(path);
  if (m === undefined) {
    issue(path, 'missing from the image');
    return undefined;
  }
  if (m.size > MAX_JSON_BYTES) {
    issue(path, `${m.size} bytes, over the ${MAX_JSON_BYTES}-byte limit for a manifest or config: not read`);
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = await archive.head(path, m.size);
  } catch (e) {
    issue(path, `cannot read: ${errorMessage(e)}`);
    return undefined;
  }
  const actual = hashOf(bytes, digest?.startsWith('sha512:') === true ? 'sha512' : 'sha256');
  if (digest !== undefined && actual !== digest) {
    issue(path, `digest mismatch: the file hashes to ${actual}, expected ${digest}: not used`);
    return undefined;
  }
  try {
    return { value: JSON.parse(new TextDecoder().decode(bytes)) as unknown, digest: actual };
  } catch (e) {
    issue(path, `invalid JSON: ${errorMessage(e)}`);
    return undefined;
  }
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, path: string, issue: Issue): z.infer<T> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  issue(path, `not a valid ${path}: ${schemaMessage(r.error)}`);
  return undefined;
}

async function readConfig(archive: ImageArchive, path: string, digest: string | undefined, issue: Issue) {
  const json = await readJson(archive, path, digest, issue);
  const config = json === undefined ? undefined : parseWith(ImageConfig, json.value, path, issue);
  return { config, digest: json?.digest ?? digest };
}

async function dockerPlan(archive: ImageArchive, options: OpenImageOptions, outer: Issue): Promise<Plan> {
  const issues: ExtractIssue[] = [];
  const json = await readJson(archive, 'manifest.json', undefined, (l, m) => issues.push({ location: l, message: m }));
  const parsed = json === undefined ? undefined : DockerManifest.safeParse(json.value);
  if (parsed?.success !== true) {
    // docker 25+ writes an OCI layout beside manifest.json: fall back to it
    if (await archive.member('index.json')) {
      outer('manifest.json', `not used: ${issues[0]?.message ?? (parsed ? schemaMessage(parsed.error) : 'invalid')}`);
      return ociPlan(archive, options, outer);
    }
    fail(
      'IMAGE_INVALID',
      `manifest.json: not a docker save manifest: ${issues[0]?.message ?? (parsed ? schemaMessage(parsed.error) : 'invalid')}`,
    );
  }
  const images = parsed.data;
  const tags = (e: DockerManifest[number]) => e.RepoTags ?? [];
  let chosen = images[0]!;
  if (options.reference !== undefined) {
    const want = normalizeRef(options.reference);
    const found = images.find((e) => tags(e).some((t) => normalizeRef(t) === want));
    if (found === undefined)
      fail(
        'IMAGE_NOT_IN_ARCHIVE',
        `no image ${options.reference} in the archive; it holds ${images.flatMap(tags).join(', ') || 'untagged images only'}`,
      );
    chosen = found;
  } else if (images.length > 1) {
    fail(
      'IMAGE_AMBIGUOUS',
      `the archive holds ${images.length} images (${images.map((e) => tags(e)[0] ?? e.Config).join(', ')}): pick one by reference`,
    );
  }
  const { config, digest: configDigest } = await readConfig(archive, chosen.Config, digestOfName(chosen.Config), outer);
  return {
    format: 'docker-save',
    repoTags: tags(chosen),
    configPath: chosen.Config,
    ...(configDigest !== undefined ? { configDigest } : {}),
    ...(config !== undefined ? { config } : {}),
    layers: chosen.Layers.map((p) => {
      const digest = digestOfName(p);
      return { path: p, ...(digest !== undefined ? { digest } : {}) };
    }),
    platforms: [],
  };
}

type Candidate = { desc: Descriptor; names: string[]; present: boolean };

async function ociPlan(archive: ImageArchive, options: OpenImageOptions, issue: Issue): Promise<Plan> {
  const layoutJson = await readJson(archive, 'oci-layout', undefined, issue);
  if (layoutJson !== undefined) {
    const layout = parseWith(OciLayout, layoutJson.value, 'oci-layout', issue);
    if (layout !== undefined && !layout.imageLayoutVersion.startsWith('1.'))
      issue('oci-layout', `image layout version ${layout.imageLayoutVersion}: read as 1.0`);
  }
  const indexJson = await readJson(archive, 'index.json', undefined, issue);
  const index = indexJson === undefined ? undefined : ImageIndex.safeParse(indexJson.value);
  if (index?.success !== true)
    fail('IMAGE_INVALID', `index.json: not an OCI image index: ${index ? schemaMessage(index.error) : 'unreadable'}`);

  // every image manifest the index leads to, nested indexes followed (bounded), attestations left out
  const candidates = new Map<string, Candidate>();
  const visit = async (descs: readonly Descriptor[], names: readonly string[], depth: number): Promise<void> => {
    for (const d of descs) {
      const here = [...names];
      for (const k of [CONTAINERD_NAME, REF_NAME]) {
        const v = d.annotations?.[k];
        if (v !== undefined && !here.includes(v)) here.push(v);
      }
      if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown')
        continue;
      const path = blobPath(d.digest);
      const present = (await archive.member(path)) !== undefined;
      let isIndex = d.mediaType !== undefined && INDEX_MEDIA_TYPES.has(d.mediaType);
      let nested: ImageIndex | undefined;
      if (present && (isIndex || d.mediaType === undefined || !MANIFEST_MEDIA_TYPES.has(d.mediaType))) {
        // a media type that says nothing: the document tells (an index has manifests, an image manifest layers)
        const json = await readJson(archive, path, d.digest, issue);
        const r = json === undefined ? undefined : ImageIndex.safeParse(json.value);
        if (r?.success === true) {
          isIndex = true;
          nested = r.data;
        } else if (isIndex) {
          if (r !== undefined) issue(path, `not a valid image index: ${schemaMessage(r.error)}`);
          continue;
        }
      }
      if (isIndex) {
        if (nested === undefined) {
          issue(path, 'an image index missing from the image: its manifests are not considered');
          continue;
        }
        if (depth >= MAX_INDEX_DEPTH) {
          issue(path, `image indexes nested deeper than ${MAX_INDEX_DEPTH}: not followed`);
          continue;
        }
        await visit(nested.manifests, here, depth + 1);
        continue;
      }
      const seen = candidates.get(d.digest);
      if (seen === undefined) candidates.set(d.digest, { desc: d, names: here, present });
      else for (const n of here) if (!seen.names.includes(n)) seen.names.push(n);
    }
  };
  await visit(index.data.manifests, [], 0);
  let all = [...candidates.values()];
  if (all.length === 0) fail('IMAGE_INVALID', 'index.json: lists no image manifest');
  const platforms = [...new Set(all.flatMap((c) => (c.desc.platform ? [platformName(c.desc.platform)] : [])))];
  const describe = (cs: Candidate[]) =>
    cs.map((c) => (c.desc.platform ? platformName(c.desc.platform) : (c.names[0] ?? c.desc.digest))).join(', ');

  if (options.reference !== undefined) {
    const want = normalizeRef(options.reference);
    const named = all.filter((c) => c.names.some((n) => n === options.reference || normalizeRef(n) === want));
    if (named.length === 0)
      fail(
        'IMAGE_NOT_IN_ARCHIVE',
        `no image ${options.reference} in the layout; it holds ${[...new Set(all.flatMap((c) => c.names))].join(', ') || 'unnamed images only'}`,
      );
    all = named;
  }
  let chosen: Candidate | undefined;
  if (options.platform !== undefined) {
    const p = options.platform;
    const matching = all.filter((c) => c.desc.platform !== undefined && platformMatches(p, c.desc.platform));
    // a single manifest without a platform is checked against its config instead
    if (matching.length === 0 && all.length === 1 && all[0]!.desc.platform === undefined) chosen = all[0];
    else if (matching.length === 0)
      fail('IMAGE_NOT_IN_ARCHIVE', `no ${p} image in the layout; it holds ${describe(all)}`);
    else chosen = matching.find((c) => c.present) ?? matching[0];
  } else {
    const present = all.filter((c) => c.present);
    const pool = present.length > 0 ? present : all;
    if (pool.length === 1) chosen = pool[0];
    else {
      const amd64 = pool.filter((c) => c.desc.platform?.os === 'linux' && c.desc.platform.architecture === 'amd64');
      if (amd64.length === 1) chosen = amd64[0];
      else
        fail(
          'IMAGE_AMBIGUOUS',
          `the layout holds ${pool.length} images (${describe(pool)}): pick a platform or reference`,
        );
    }
  }
  const c = chosen!;
  const mpath = blobPath(c.desc.digest);
  if (!c.present) fail('IMAGE_INVALID', `${mpath}: the image manifest ${c.desc.digest} is missing from the layout`);
  const mjson = await readJson(archive, mpath, c.desc.digest, issue);
  const manifest = mjson === undefined ? undefined : ImageManifest.safeParse(mjson.value);
  if (manifest?.success !== true)
    fail(
      'IMAGE_INVALID',
      `${mpath}: not a usable image manifest${manifest ? `: ${schemaMessage(manifest.error)}` : ''}`,
    );
  const m = manifest.data;
  const { config, digest: configDigest } = await readConfig(archive, blobPath(m.config.digest), m.config.digest, issue);
  if (config === undefined && c.desc.platform !== undefined) {
    // keep the platform the index gave when the config cannot be read
    issue(blobPath(m.config.digest), `platform taken from the index: ${platformName(c.desc.platform)}`);
  }
  const p = c.desc.platform;
  const platformConfig: ImageConfig | undefined =
    config ??
    (p === undefined
      ? undefined
      : { os: p.os, architecture: p.architecture, ...(p.variant !== undefined ? { variant: p.variant } : {}) });
  return {
    format: 'oci-layout',
    repoTags: c.names,
    configPath: blobPath(m.config.digest),
    manifestDigest: c.desc.digest,
    ...(configDigest !== undefined ? { configDigest } : {}),
    ...(platformConfig !== undefined ? { config: platformConfig } : {}),
    layers: m.layers.map((l) => ({
      path: blobPath(l.digest),
      digest: l.digest,
      ...(l.mediaType !== undefined ? { mediaType: l.mediaType } : {}),
      ...(l.size !== undefined ? { size: l.size } : {}),
    })),
    platforms,
  };
}
