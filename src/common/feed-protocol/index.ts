/** The binary market-data feed: wire types, codec, streaming decoder, reconnecting client. See docs/feed-protocol.md. */
export * from './wire.types';
export * from './layout';
export { crc32 } from './crc32';
export { quoteProblem } from './quote-codec';
export { encodeFrame, frameSize, patchSequence, FrameEncoder } from './frame-encoder';
export { FrameDecoder, type DecoderStats, type FrameDecoderOptions } from './frame-decoder';
export { backoffDelay } from './backoff';
export { FeedClient, type FeedClientEvents, type FeedClientOptions, type FeedClientStats } from './feed-client';
