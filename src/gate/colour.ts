// Which health-code colour to trust. Three sources: the volunteer's tap on the kiosk, the status the
// hub pushed for a resident (trusted while fresh), and an online verifier (its HTTP call lives outside
// src/gate; its answer comes in as a 'colour' input, and when it times out the volunteer taps instead).
import type { RosterPerson } from './contract.js';
import type { CodeColour, ColourSource } from './model.js';

export interface ColourReading {
  colour: CodeColour;
  source: ColourSource;
  at: number;
}

const RANK: Record<CodeColour, number> = { green: 0, yellow: 1, red: 2 };

/** The hub's status for a person, if it is fresh enough to decide on. */
export function hubColour(person: RosterPerson | undefined, now: number, maxAgeMs: number): ColourReading | undefined {
  const h = person?.health;
  if (!h || now - h.at > maxAgeMs || h.at - now > maxAgeMs) return undefined;
  return { colour: h.colour, source: 'hub', at: h.at };
}

/**
 * The colour a decision uses: the worst of what the sources say. A fresh red from the hub is not
 * washed out by a green screenshot, and a yellow shown at the gate is not hidden by a day-old green.
 */
export function resolveColour(readings: readonly ColourReading[]): ColourReading | undefined {
  let worst: ColourReading | undefined;
  for (const r of readings) if (!worst || RANK[r.colour] > RANK[worst.colour]) worst = r;
  return worst;
}
