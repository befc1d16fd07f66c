import type { ClassConstructor } from 'class-transformer';

/** The class of a feature's settings: what it injects, and the key it is found by. */
export type SettingsClass<S> = abstract new (...args: never[]) => S;

/** Settings built before the one being built: a later slice may take its defaults from an earlier one. */
export interface BuiltSettings {
  get<S>(settings: SettingsClass<S>): S;
}

/**
 * A feature's share of the configuration: the variables it reads, as a class whose properties carry
 * class-validator decorators, and how its typed settings are made from them once every variable of every slice is
 * valid. Each feature declares its own; the vault lists them in one place (src/vault-config.ts).
 */
export interface ConfigSlice<S extends object = object, V extends object = object> {
  readonly settings: SettingsClass<S>;
  readonly variables: ClassConstructor<V>;
  build(variables: V, built: BuiltSettings): S;
  /** What is wrong only beside another slice's settings, asked once every slice is built; each problem a sentence. */
  conflicts?(settings: S, built: BuiltSettings): string[];
}

export function configSlice<S extends object, V extends object>(slice: ConfigSlice<S, V>): ConfigSlice<S, V> {
  return slice;
}
