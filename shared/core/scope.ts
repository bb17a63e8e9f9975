/**
 * Whether a list of resource types (a rule's scope, a `tagPolicy.resourceTypes`) names a type. A scan asks
 * it for every item and every rule, so each list is turned into a set once, the first time it is asked.
 */
const sets = new WeakMap<readonly string[], ReadonlySet<string>>();

export function listsResourceType(resourceTypes: readonly string[], resourceType: string): boolean {
  let set = sets.get(resourceTypes);
  if (set === undefined) {
    set = new Set(resourceTypes);
    sets.set(resourceTypes, set);
  }
  return set.has(resourceType);
}
