/**
 * The parse-only floor of a snapshot scan, in a process of its own: read the file, gunzip it when gzipped,
 * tokenise it with the same streaming parser the CLI uses (stream-json, same options) and assemble every item
 * of `configurationItems` into an object, as the scan does before it reads an item. No normalising, no rules.
 *   node --import tsx bench/child/snapshot-scan.ts <snapshot file>   (the benchmark runs it bundled: bench/sections/snapshot-scan.ts)
 * Prints one JSON line: items, wall time and peak RSS (the process's high-water mark).
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import Assembler from 'stream-json/assembler.js';
import { jsonParser, type Token } from 'stream-json/parser.js';
import { decodedPieces } from '../../cli/text-pieces.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: snapshot-scan.ts <snapshot file>');

const start = performance.now();
const input = createReadStream(file, { highWaterMark: 2 ** 20 });
const source: Readable = file.endsWith('.gz')
  ? pipeline(input, createGunzip({ chunkSize: 2 ** 17 }), () => {})
  : input;
const parse = jsonParser({ packValues: true, streamValues: false });
const decoder = new StringDecoder('utf8');
const assembler = new Assembler();
let depth = 0;
let assembling = false;
let items = 0;
let lastKey = '';
let inItems = false;

function consume(token: Token): void {
  if (assembling) {
    assembler.consume(token);
    if (assembler.done) {
      assembling = false;
      items++;
    }
    return;
  }
  switch (token.name) {
    case 'keyValue':
      if (depth === 1) lastKey = token.value;
      return;
    case 'startObject':
    case 'startArray':
      if (inItems && depth === 2) {
        assembling = true;
        assembler.consume(token);
        return;
      }
      depth++;
      if (depth === 2 && token.name === 'startArray' && lastKey === 'configurationItems') inItems = true;
      return;
    case 'endObject':
    case 'endArray':
      depth--;
      if (depth < 2) inItems = false;
      return;
    default:
      if (inItems && depth === 2) items++;
  }
}

for await (const chunk of source as AsyncIterable<Buffer>) {
  // In the CLI's pieces (cli/text-pieces.ts, which imports nothing the floor would not).
  for (const text of decodedPieces(decoder, chunk)) {
    const result = parse(text) as unknown;
    if (typeof result === 'object' && result !== null && 'values' in result) {
      for (const token of (result as { values: Token[] }).values) consume(token);
    }
  }
}
const wallMs = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({ items, wallMs, peakRss: process.resourceUsage().maxRSS * 1024 })}\n`,
);
