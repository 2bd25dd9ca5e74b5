// The redaction step every finding passes before it leaves the machine. See redactor.ts for the threats.
export { createRedactor } from './redactor.ts';
export type { MaskingRedactor, RedactionReport, RedactorOptionsInput } from './redactor.ts';
export { MASK_TYPES, isMask } from './masks.ts';
export type { MaskType, MaskMapping, MappingEntry } from './masks.ts';
export { RedactError } from './errors.ts';
export type { RedactErrorCode } from './errors.ts';
