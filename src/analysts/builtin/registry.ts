// The built-in, offline analysts by name. Two that fail differently: builtin-rules reads what a finding says of
// itself (the rule's level and expected false positives, the asset, known-benign patterns); builtin-rarity counts
// how rare the behaviour is across the fleet's own history and knows nothing of what the rule means.
import type { Analyst } from '../analyst.ts';
import { BuiltinAnalystError } from './errors.ts';
import { createRarityAnalyst } from './rarity/index.ts';
import { BuiltinRulesAnalyst, loadKnownBenign } from './rules/index.ts';

export const BUILTIN_ANALYST_NAMES = ['builtin-rules', 'builtin-rarity'] as const;
export type BuiltinAnalystName = (typeof BUILTIN_ANALYST_NAMES)[number];

export function isBuiltinAnalystName(name: string): name is BuiltinAnalystName {
  return (BUILTIN_ANALYST_NAMES as readonly string[]).includes(name);
}

export type BuiltinAnalystOptions = {
  /** builtin-rarity's history directory; without it, rarity is counted over the batch alone. */
  readonly historyDir?: string;
  /** builtin-rules: a YAML file of known-benign patterns added to the bundled ones. */
  readonly knownBenign?: string;
  /** Clock (epoch ms), for tests. */
  readonly now?: () => number;
};

/** Creates a built-in analyst. Throws UNKNOWN_ANALYST, KNOWN_BENIGN_* or HISTORY_* (each naming the file). */
export async function createBuiltinAnalyst(name: string, options: BuiltinAnalystOptions = {}): Promise<Analyst> {
  switch (name) {
    case 'builtin-rules': {
      const patterns = await loadKnownBenign();
      if (options.knownBenign !== undefined) {
        const bundled = new Set(patterns.map((p) => p.id));
        for (const p of await loadKnownBenign(options.knownBenign)) {
          // a verdict cites `known-benign:<id>`: an id must say which file's pattern excused the finding
          if (bundled.has(p.id))
            throw new BuiltinAnalystError(
              'KNOWN_BENIGN_INVALID',
              `${options.knownBenign}: pattern id ${p.id} is already a bundled pattern's; give yours another id`,
            );
          patterns.push(p);
        }
      }
      return new BuiltinRulesAnalyst(patterns);
    }
    case 'builtin-rarity':
      return createRarityAnalyst({
        ...(options.historyDir !== undefined ? { historyDir: options.historyDir } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    default:
      throw new BuiltinAnalystError(
        'UNKNOWN_ANALYST',
        `${JSON.stringify(name)} is not a built-in analyst; the built-in ones are ${BUILTIN_ANALYST_NAMES.join(', ')}.`,
      );
  }
}
