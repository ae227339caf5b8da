// What a framer yields: a complete frame, or the news that one was too long and was dropped.
export type Frame = { type: 'frame'; bytes: Buffer } | { type: 'overflow'; length: number };
