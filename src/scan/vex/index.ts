// `mamori scan --ignore FILE`: ignore and VEX files (OpenVEX, .trivyignore.yaml-style YAML, plain .trivyignore)
// parsed into rules, and the rules applied to vulnerability findings. Pure: the CLI reads the file.
export { applyIgnores, type ApplyOptions } from './apply.ts';
export { parseFileTime, type FileTime } from './dates.ts';
export { ignoreFormatOf, parseIgnoreFile } from './parse.ts';
export { parseIgnoreYaml } from './ignore-yaml.ts';
export { parseOpenVex } from './openvex.ts';
export { parseTrivyIgnore } from './trivyignore.ts';
export type {
  AppliedIgnores,
  AppliedSuppression,
  ExpiredRule,
  IgnoreEntry,
  IgnoreFormat,
  IgnoreIssue,
  IgnoreRule,
  ParsedIgnoreFile,
  SuppressionStatus,
  VexJustification,
  VexNote,
  VexProduct,
  VexRule,
  VexStatus,
} from './types.ts';
export { VEX_JUSTIFICATIONS, VEX_STATUSES } from './types.ts';
