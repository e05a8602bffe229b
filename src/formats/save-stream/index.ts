// The xl save file / migration stream: xl header, libxl v2 stream, libxc v3 stream.
export * from './constants.ts';
export * from './xl-header.ts';
export * from './framing.ts';
export * from './libxc-records.ts';
export * from './guest-state.ts';
export * from './writer.ts';
export * from './reader.ts';
