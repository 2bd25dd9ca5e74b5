export {
  BEHAVIOUR_FACTS,
  BuiltinRarityAnalyst,
  behaviourOf,
  createRarityAnalyst,
  judgeBehaviour,
  observeBehaviour,
  RARITY_THRESHOLDS,
} from './analyst.ts';
export type { Behaviour, RarityOptions } from './analyst.ts';
export {
  DEFAULT_LIMITS,
  FleetHistory,
  HISTORY_FILE,
  HISTORY_FORMAT,
  HISTORY_VERSION,
  loadHistory,
  parseHistory,
  saveHistory,
} from './history.ts';
export type { HistoryLimits } from './history.ts';
export { shapeOf } from './shape.ts';
