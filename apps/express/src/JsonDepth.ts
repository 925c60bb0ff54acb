/**
 * Whether a parsed JSON value nests objects or arrays more than `max` levels deep. Iterative, so
 * measuring a hostile body cannot overflow the stack the way a later `JSON.stringify` of it would.
 */
export const nestsDeeperThan = (value: unknown, max: number): boolean => {
  const pending: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 1 }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue
    if (next.depth > max) return true
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 })
  }
  return false
}
