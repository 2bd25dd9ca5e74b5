// The sshd engine's public surface.
export { SshdEngine, sshdEngine, judge } from './engine.ts';
export { effectiveValue, type Effective } from './effective.ts';
export {
  loadSshdConfig,
  includePath,
  SSHD_CONFIG,
  MAX_INCLUDE_DEPTH,
  type SshdConfig,
  type PlacedDirective,
  type MatchContext,
  type MatchRef,
  type ConfigFile,
} from './load.ts';
export { parseSshdConfig, parseLine, type SshdLine, type SshdDirective } from './parse.ts';
export { keywordInfo, canonicalKey, type KeywordInfo, type ValueKind } from './keywords.ts';
export { normalise, parseTime, resolveAlgorithms } from './values.ts';
