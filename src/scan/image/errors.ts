import { MamoriError } from '../../core/errors.ts';

/**
 * Error codes of opening a container image: the image as a whole cannot be used. Damage inside it (a layer
 * that does not decompress, a missing blob, a digest mismatch) is an issue of the result instead.
 */
export type ImageErrorCode =
  /** No file or directory at the path given. */
  | 'IMAGE_NOT_FOUND'
  /** Neither a docker save archive nor an OCI image layout, or its manifest does not parse. */
  | 'IMAGE_INVALID'
  /** A form not read here (a compressed archive: decompress it first). */
  | 'IMAGE_UNSUPPORTED'
  /** Several images or platforms and nothing says which: pick one with `reference` or `platform`. */
  | 'IMAGE_AMBIGUOUS'
  /** The `reference` or `platform` asked for is not in the image. */
  | 'IMAGE_NOT_IN_ARCHIVE';

export class ImageError extends MamoriError<ImageErrorCode> {}
