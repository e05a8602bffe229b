export * from './config.ts';
export * from './c-numbers.ts';
