// Xen's public io/ headers as byte layouts: the shared ring, netif, blkif, the console page and
// the xenstore page. Pure: they read and write Buffers and know nothing of who holds the page.
export * from './ring.ts';
export * from './netif.ts';
export * from './blkif.ts';
export * from './console.ts';
export * from './xs-wire.ts';
export * from './byte-ring.ts';
