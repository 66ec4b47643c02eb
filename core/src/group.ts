/** Items by key, in first-seen order (keys and, within a key, items). */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = by.get(key);
    if (list === undefined) by.set(key, [item]);
    else list.push(item);
  }
  return by;
}
