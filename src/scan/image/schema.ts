// The JSON documents of an image archive, parsed at the boundary: docker save's manifest.json, the OCI layout's
// oci-layout and index.json, image manifests and indexes, and the image config. Permissive where the specs
// allow variation (optional fields, unknown keys dropped), strict where a value is used to find a file: a
// digest must be `sha256:`/`sha512:` and hex, so it can never name a path outside blobs/.
import { z } from 'zod';

export const Digest = z.string().regex(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/, 'not a sha256/sha512 digest');
export type Digest = z.infer<typeof Digest>;

export const Platform = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});
export type Platform = z.infer<typeof Platform>;

export const Descriptor = z.object({
  mediaType: z.string().optional(),
  digest: Digest,
  size: z.number().int().nonnegative().optional(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: Platform.optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

/** An OCI image index (index.json, or a multi-platform manifest list). */
export const ImageIndex = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor).max(10_000),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof ImageIndex>;

export const ImageManifest = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  config: Descriptor,
  // docker caps an image at 127 layers; leave room, but bound what a file can make us open
  layers: z.array(Descriptor).max(1000),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof ImageManifest>;

export const OciLayout = z.object({ imageLayoutVersion: z.string() });

/** docker save's manifest.json: one entry per image saved. */
export const DockerManifest = z
  .array(
    z.object({
      Config: z.string(),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string()).max(1000),
    }),
  )
  .min(1)
  .max(10_000);
export type DockerManifest = z.infer<typeof DockerManifest>;

/** The image config (OCI image-spec config.md; docker's adds fields, dropped here). */
export const ImageConfig = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  history: z
    .array(
      z.object({
        created: z.string().optional(),
        created_by: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .max(10_000)
    .optional(),
  rootfs: z.object({ type: z.string().optional(), diff_ids: z.array(z.string()).max(1000).optional() }).optional(),
});
export type ImageConfig = z.infer<typeof ImageConfig>;

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

/** The first zod issue as one line: `manifests.0.digest: not a sha256/sha512 digest`. */
export function schemaMessage(error: z.ZodError): string {
  const first = error.issues[0];
  if (first === undefined) return 'invalid';
  const at = first.path.map(String).join('.');
  return at === '' ? first.message : `${at}: ${first.message}`;
}
