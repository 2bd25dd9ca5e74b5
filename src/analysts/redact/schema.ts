// The redactor's options and its mapping file: our own input, so strict (an unknown option is a typo that would
// otherwise silently leave something unmasked).
import { z } from 'zod';
import { parseCidr } from './checks.ts';
import { MASK_TYPES } from './masks.ts';

const DomainSuffix = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/^\.+/, '').replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(/^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63}){0,126}$/, 'a DNS suffix like corp.example.jp'),
  );

const Cidr = z
  .string()
  .refine((s) => parseCidr(s.trim()) !== undefined, 'an address or CIDR block like 203.0.113.0/24');

export const MappingEntry = z
  .object({
    mask: z.string().max(24),
    type: z.enum(MASK_TYPES),
    key: z.string(),
    original: z.string(),
  })
  .strict();

export const MaskMapping = z
  .object({
    format: z.literal('mamori-redaction-mapping'),
    version: z.literal(1),
    entries: z.array(MappingEntry).readonly(),
  })
  .strict();

export const RedactorOptions = z
  .object({
    /** Internal DNS suffixes: names under them are masked as hosts (the suffix itself as a domain). */
    internalDomains: z.array(DomainSuffix).default([]),
    /** Mask internal host and domain names at all. */
    hosts: z.boolean().default(true),
    /** Mask single-label names in host fields (Computer, WorkstationName, hostname, ...). */
    hostFields: z.boolean().default(true),
    /** Which addresses to mask: private/loopback/link-local (and internalNetworks), all, or none. */
    ips: z.enum(['private', 'all', 'none']).default('private'),
    /** Address blocks that are internal though public (the bank's own ranges), masked under `private`. */
    internalNetworks: z.array(Cidr).default([]),
    /** More user names never to mask (service accounts whose name is not personal). */
    keepUsers: z.array(z.string().min(1)).default([]),
    /** Mask the well-known system accounts too (SYSTEM, LOCAL SERVICE, root, Administrator, ...). */
    maskWellKnownAccounts: z.boolean().default(false),
    /** Strings longer than this are cut (and marked) before scanning. */
    maxStringLength: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Objects nested deeper than this are replaced by a marker. */
    maxDepth: z.number().int().min(1).max(1000).default(64),
    /**
     * Learn user, host and domain names from fields and mask them wherever they recur in free text. Off, a name in
     * a command line is masked only where a pattern finds it (a profile path, `net user`, `-u`).
     */
    learnNames: z.boolean().default(true),
    /** A mapping exported earlier (loadMapping), so masks continue where that run stopped. */
    mapping: MaskMapping.optional(),
  })
  .strict();
