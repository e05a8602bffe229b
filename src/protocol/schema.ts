// Runtime shapes for control messages: small checkers the daemon runs on every frame before it
// dispatches, so that a handler only ever sees the types its message declares. A checker returns
// why a value does not fit (with the path to it), or undefined when it fits.

export type Schema = (v: unknown, at: string) => string | undefined;

/** Longest name-like string (a domain qualifier, a pool, a path): PATH_MAX. */
const MAX_NAME = 4096;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function str(max = MAX_NAME): Schema {
  return (v, at) => (typeof v !== 'string' ? `${at} must be a string` : v.length > max ? `${at} is longer than ${max} characters` : undefined);
}

export const bool: Schema = (v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false`);

/** An integer within [min, max] (finite: JSON cannot carry NaN or infinities, but 1e400 parses as one). */
export function int(min: number, max: number): Schema {
  return (v, at) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `${at} must be an integer from ${min} to ${max}`);
}

/** A finite number within [min, max]. */
export function num(min: number, max: number): Schema {
  return (v, at) => (typeof v === 'number' && v >= min && v <= max ? undefined : `${at} must be a number from ${min} to ${max}`);
}

/** A non-negative decimal integer in a string (nanoseconds: beyond 2^53), within [min, max]. */
export function decimal(min: bigint, max: bigint): Schema {
  return (v, at) => {
    if (typeof v !== 'string' || !/^[0-9]{1,20}$/.test(v) || BigInt(v) < min || BigInt(v) > max) return `${at} must be a decimal integer from ${min} to ${max}`;
    return undefined;
  };
}

export function oneOf(...values: (string | number | boolean)[]): Schema {
  return (v, at) => (values.includes(v as string) ? undefined : `${at} must be one of ${values.map(x => JSON.stringify(x)).join(', ')}`);
}

export function either(...schemas: Schema[]): Schema {
  return (v, at) => {
    const why = schemas.map(s => s(v, at));
    return why.includes(undefined) ? undefined : why.join(', or ');
  };
}

export const nil: Schema = (v, at) => (v === null ? undefined : `${at} must be null`);

export function arr(item: Schema, maxLength: number): Schema {
  return (v, at) => {
    if (!Array.isArray(v)) return `${at} must be an array`;
    if (v.length > maxLength) return `${at} has more than ${maxLength} entries`;
    for (let i = 0; i < v.length; i++) { const why = item(v[i], `${at}[${i}]`); if (why) return why; }
    return undefined;
  };
}

/** A JSON object whose contents the handler checks itself (a libxl config, a device). */
export const anyObject: Schema = (v, at) => (isObject(v) ? undefined : `${at} must be an object`);

/** Marks a field that may be left out. */
export interface Optional { optional: Schema }
export const opt = (s: Schema): Optional => ({ optional: s });

/** An object with exactly these fields: unknown ones are refused, whatever their name. */
export function obj(fields: Record<string, Schema | Optional>): Schema {
  const known = new Map(Object.entries(fields));
  return (v, at) => {
    if (!isObject(v)) return `${at} must be an object`;
    for (const k of Object.keys(v)) if (!known.has(k)) return `${at} has an unknown field ${JSON.stringify(k.slice(0, 64))}`;
    for (const [k, f] of known) {
      const has = Object.hasOwn(v, k) && v[k] !== undefined;
      if (typeof f !== 'function') { if (has) { const why = f.optional(v[k], `${at}.${k}`); if (why) return why; } continue; }
      if (!has) return `${at}.${k} is missing`;
      const why = f(v[k], `${at}.${k}`);
      if (why) return why;
    }
    return undefined;
  };
}
