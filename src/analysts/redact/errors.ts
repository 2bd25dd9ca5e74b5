import { MamoriError } from '../../core/errors.ts';

export type RedactErrorCode = 'OPTIONS_INVALID' | 'MAPPING_INVALID' | 'MAPPING_INSECURE' | 'MAPPING_IO';

/** Redaction setup failed: bad options, or a mapping file that is malformed, too open, or unreadable. */
export class RedactError extends MamoriError<RedactErrorCode> {}
