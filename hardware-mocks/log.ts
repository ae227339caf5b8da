// The record a mock keeps of what it was asked to do (the GPIO's writes, the loudspeaker's prompts):
// the newest MOCK_LOG_KEPT, so a simulation left running for days, or the benchmark's 100,000
// passages, does not grow with every passage (three prompts a passage once kept 70 MB after 100,000).

/** How many records a mock's log keeps; the oldest go first. */
export const MOCK_LOG_KEPT = 1000;

/** Appends to a mock's log, dropping the oldest past MOCK_LOG_KEPT. */
export function appendToLog<T>(log: T[], item: T): void {
  log.push(item);
  while (log.length > MOCK_LOG_KEPT) log.shift();
}
