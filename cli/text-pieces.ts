/**
 * Bytes read from a snapshot, decoded and handed to the parser in pieces of at most {@link PARSE_PIECE}
 * bytes. V8 puts a string over 128 KiB in its large-object space, which only a full collection frees: with
 * 128 KiB gunzip chunks (1 MiB reads for plain files) every piece of text went there, and the old generation
 * grew by the file's size between full collections. A smaller piece is a young object, freed by the cheap
 * scavenges; 16 KiB rather than 32 also keeps fewer tokens alive at each scavenge, so V8 no longer grows its
 * old generation early in a long scan (the 1M-item scan: 3 runs in 4 peaked near 205 MiB at 32 KiB, none of
 * 8 above 153 MiB at 16 KiB; BENCHMARKS.md › Offline snapshot scan). No dependencies: the benchmark's
 * parse floor (bench/child/snapshot-scan.ts) reads its text the same way.
 */
import type { StringDecoder } from 'node:string_decoder';

export const PARSE_PIECE = 2 ** 14;

/** The chunk's text, piece by piece (a character cut between pieces is finished in the next). */
export function* decodedPieces(decoder: StringDecoder, chunk: Buffer): Generator<string> {
  for (let at = 0; at < chunk.length; at += PARSE_PIECE)
    yield decoder.write(chunk.subarray(at, at + PARSE_PIECE));
}
