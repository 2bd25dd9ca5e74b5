import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuiltinAnalystError } from '../errors.ts';
import { BuiltinRulesAnalyst } from './analyst.ts';
import { parseKnownBenign, type KnownBenignPattern } from './known-benign.ts';

export { BuiltinRulesAnalyst } from './analyst.ts';
export { parseKnownBenign, type KnownBenignPattern } from './known-benign.ts';

/** The known-benign list shipped with Mamori. */
export const DEFAULT_KNOWN_BENIGN_FILE = join(import.meta.dirname, 'known-benign.yaml');

/** Reads and compiles a known-benign file. Throws KNOWN_BENIGN_NOT_FOUND or KNOWN_BENIGN_INVALID naming it. */
export async function loadKnownBenign(file: string = DEFAULT_KNOWN_BENIGN_FILE): Promise<KnownBenignPattern[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new BuiltinAnalystError(
      'KNOWN_BENIGN_NOT_FOUND',
      `${file}: cannot read the known-benign patterns file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path given as the known-benign override.`,
      { cause: e },
    );
  }
  return parseKnownBenign(text, file);
}

export async function createRulesAnalyst(options: { knownBenignFile?: string } = {}): Promise<BuiltinRulesAnalyst> {
  return new BuiltinRulesAnalyst(await loadKnownBenign(options.knownBenignFile));
}
