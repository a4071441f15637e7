export * from './types';
export { MatchingEngine, type EngineOptions } from './engine';
export { Journal, type CommandSink } from './journal';
export type { Equilibrium } from './auction';
export { fnv1a64 } from './state-hash';
