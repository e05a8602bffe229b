export * from './config.ts';
export * from './xl-conf.ts';
