// Workflow keys are data: a node type, port or param named "constructor", "toString" or
// "__proto__" must not find Object.prototype's members. Every lookup by a user's key goes
// through these (own properties only; dictionaries built from user keys have no prototype).

/** obj[key] if it is obj's own property, else undefined. */
export function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** key is obj's own property. */
export const has = (obj: object, key: string): boolean => Object.hasOwn(obj, key);

/** An empty dictionary without a prototype (assigning "__proto__" stores a plain entry). */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
