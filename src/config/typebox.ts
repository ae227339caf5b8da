// Helpers so every config object rejects unknown keys: a typo is an error, not a silently ignored option.
import { type TProperties, Type } from 'typebox';

/** A required block of options; missing means "all defaults". */
export function Section<P extends TProperties>(properties: P, options: { title?: string; description?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, default: {}, ...options });
}

/** A block that is absent unless configured (e.g. TLS, a GPIO line). */
export function Block<P extends TProperties>(properties: P, options: { title?: string; description?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export { Type };
export type { Static } from 'typebox';
