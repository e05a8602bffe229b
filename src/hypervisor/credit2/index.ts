// The credit2 scheduler model: see credit2.ts.
export { Credit2, type Credit2Options } from './credit2.ts';
export { validateWeight, validateCap, validateRatelimit } from './params.ts';
export * as credit2Constants from './constants.ts';
