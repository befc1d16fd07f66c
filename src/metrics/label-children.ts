/**
 * A metric's child per combination of label values, made once and kept. prom-client's `.labels(...)` checks and
 * copies its arguments on every call; on the read path that is a cost paid thousands of times a second for the same
 * few combinations. Label values must be bounded (names and outcomes), as they are in any metric.
 */
export function labelChildren<T>(make: (...values: string[]) => T): (...values: string[]) => T {
  const root = new Map<string, unknown>();
  return (...values) => {
    let level = root;
    for (let index = 0; index < values.length - 1; index += 1) {
      let next = level.get(values[index]) as Map<string, unknown> | undefined;
      if (!next) level.set(values[index], (next = new Map()));
      level = next;
    }
    const last = values[values.length - 1];
    let child = level.get(last) as T | undefined;
    if (child === undefined) level.set(last, (child = make(...values)));
    return child;
  };
}
