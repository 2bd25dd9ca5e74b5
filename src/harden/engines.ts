// The engines `mamori harden` runs, by the `engine` name baselines use, and the real tools that check their
// patched files.
import { apacheEngine, apacheSyntaxCheck } from './apache/index.ts';
import type { SyntaxChecker } from './run.ts';
import { dockerfileEngine } from './dockerfile/index.ts';
import { kubernetesEngine } from './kubernetes/index.ts';
import { loginDefsEngine } from './logindefs/index.ts';
import { nginxEngine, nginxSyntaxCheck } from './nginx/index.ts';
import { pamEngine } from './pam/index.ts';
import { sudoersEngine, visudoSyntaxCheck } from './sudoers/index.ts';
import { sshdEngine } from './sshd/index.ts';
import { sysctlEngine } from './sysctl/index.ts';
import { sshdSyntaxCheck } from './sshd/syntax.ts';
import type { HardenEngine } from './types.ts';

export const ENGINES: ReadonlyMap<string, HardenEngine> = new Map(
  [
    sshdEngine,
    sysctlEngine,
    loginDefsEngine,
    sudoersEngine,
    pamEngine,
    nginxEngine,
    apacheEngine,
    kubernetesEngine,
    dockerfileEngine,
  ].map((e) => [e.id, e]),
);

/** The syntax check of an engine's patched files, when its tool is installed. */
export const syntaxCheck: SyntaxChecker = async (engine, root, patched) => {
  if (engine === 'sshd') return sshdSyntaxCheck(root, patched);
  if (engine === 'nginx') return nginxSyntaxCheck(root, patched);
  if (engine === 'sudoers') return visudoSyntaxCheck(root, patched);
  if (engine === 'apache') return apacheSyntaxCheck(root, patched);
  return undefined;
};
