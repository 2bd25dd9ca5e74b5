export { parseSigmaText } from './parse.ts';
export { compileRule } from './compile.ts';
export { applyFilters } from './filters.ts';
export { SigmaError } from './errors.ts';
export type * from './types.ts';
