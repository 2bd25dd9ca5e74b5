// Container images for `mamori scan --image`: open a docker save tar or an OCI layout (open.ts), and run the
// inventory walker over the merged layers as an installed root file system.
import type { Extractor } from '../inventory/extract.ts';
import type { ExtractIssue } from '../inventory/types.ts';
import { defaultExtractors, extractorsFor, walkTree, type WalkOptions, type WalkResult } from '../inventory/walk.ts';
import { openImage, type ImageInfo, type OpenImageOptions } from './open.ts';

export { ImageError, type ImageErrorCode } from './errors.ts';
export {
  openImage,
  type Image,
  type ImageFormat,
  type ImageHistoryEntry,
  type ImageInfo,
  type ImageLayer,
  type OpenImageOptions,
} from './open.ts';
export type { ImageTree } from './tree.ts';

/** The walker's options (`extractors` defaults to `imageExtractors()`) and the image's choices and bounds. */
export type ImageWalkOptions = Omit<WalkOptions, 'mode'> &
  Pick<OpenImageOptions, 'platform' | 'reference' | 'maxImageBytes' | 'maxLayerBytes'>;

export type ImageWalkResult = WalkResult & { readonly image: ImageInfo };

/** The extractors an image walk runs by default: the walker's (languages, SBOMs, OS package databases). */
export function imageExtractors(): Extractor[] {
  return defaultExtractors();
}

/**
 * Opens the image at `path` and extracts every package of its merged layers, as an installed tree (`rootfs`
 * mode: installed-package metadata too). Package locations are paths inside the image, without a leading
 * slash. Damage inside the image comes back as issues, before the walk's own; throws ImageError when the path
 * is not a usable image (or the platform/reference asked for is not in it).
 */
export async function walkImage(path: string, options: ImageWalkOptions = {}): Promise<ImageWalkResult> {
  const extractors = extractorsFor('rootfs', options.extractors ?? imageExtractors());
  const skip = options.skip;
  const image = await openImage(path, {
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
    ...(options.reference !== undefined ? { reference: options.reference } : {}),
    ...(options.maxImageBytes !== undefined ? { maxImageBytes: options.maxImageBytes } : {}),
    ...(options.maxLayerBytes !== undefined ? { maxLayerBytes: options.maxLayerBytes } : {}),
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    wanted: (p) => skip?.(p) !== true && extractors.some((e) => e.matches(p)),
  });
  try {
    const walk = await walkTree(image.tree, { ...options, mode: 'rootfs', extractors });
    const issues: ExtractIssue[] = [...image.issues, ...walk.issues];
    return { packages: walk.packages, issues, files: walk.files, image: image.info };
  } finally {
    await image.close();
  }
}
