export * from './config.ts';
export * from './c-numbers.ts';
export * from './xl-conf.ts';
