// Mamori's public library surface. Everything not exported here is internal.
export * from './core/index.ts';
export type { LogEvent, LogFormat, LogReader, ReadIssue, ReadOptions, ByteSource, FieldSource } from './hunt/event.ts';
export { readLogFile, readerFor } from './hunt/open.ts';
export { hunt, type HuntOptions, type HuntCallbacks, type HuntResult, type HuntProgress } from './hunt/pipeline.ts';
export { HuntEngine, type RuleSelection, type RulesReport } from './hunt/engine.ts';
export { loadRules } from './hunt/rules/load.ts';
