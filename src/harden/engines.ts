// The engines `mamori harden` runs, by the `engine` name baselines use, and the real tools that check their
// patched files.
import type { SyntaxChecker } from './run.ts';
import { loginDefsEngine } from './logindefs/index.ts';
import { sshdEngine } from './sshd/index.ts';
import { sysctlEngine } from './sysctl/index.ts';
import { sshdSyntaxCheck } from './sshd/syntax.ts';
import type { HardenEngine } from './types.ts';

export const ENGINES: ReadonlyMap<string, HardenEngine> = new Map(
  [sshdEngine, sysctlEngine, loginDefsEngine].map((e) => [e.id, e]),
);

/** The syntax check of an engine's patched files, when its tool is installed. */
export const syntaxCheck: SyntaxChecker = async (engine, root, patched) =>
  engine === 'sshd' ? sshdSyntaxCheck(root, patched) : undefined;
