export * from './severity.ts';
export * from './ids.ts';
export * from './finding.ts';
export * from './errors.ts';
export * from './random.ts';
export * from './verdict.ts';
export * from './finding-schema.ts';
