/**
 * Items that wait for an account fact (buckets, for their account's Block Public Access item) past what the
 * scan keeps in memory: written as JSON lines to a temporary file and read back one at a time at the end of
 * the scan, so that a snapshot whose block item comes last, or never, holds at most WAITING_LIMIT items in
 * memory (cli/snapshot-scan.ts). A configuration item is JSON read from JSON, so a line gives it back as it
 * was (test/cli/streaming.test.ts holds the verdicts to those of items never written out).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { SourcedItem } from './scan.ts';

/** Text gathered before a write, and bytes read back at a time. */
const CHUNK = 2 ** 20;

export class ItemSpill {
  private folder: string | undefined;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLength = 0;

  /** Writes the item out; false when no temporary file can be made (the caller keeps it in memory). */
  add(sourced: SourcedItem): boolean {
    if (this.fd === undefined && !this.open()) return false;
    const line = `${JSON.stringify({ item: sourced.item, location: sourced.location })}\n`;
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= CHUNK) this.flush();
    return true;
  }

  /** Hands back every item written out, in the order written, then forgets them. */
  replay(visit: (sourced: SourcedItem) => void): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.flush();
    const decoder = new StringDecoder('utf8');
    const bytes = Buffer.allocUnsafe(CHUNK);
    let rest = '';
    for (let position = 0; ; ) {
      const read = readSync(fd, bytes, 0, CHUNK, position);
      if (read === 0) break;
      position += read;
      const lines = (rest + decoder.write(bytes.subarray(0, read))).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) visit(JSON.parse(line) as SourcedItem);
    }
    this.dispose();
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
    this.fd = undefined;
    this.folder = undefined;
    this.pending = [];
    this.pendingLength = 0;
  }

  private open(): boolean {
    try {
      this.folder = mkdtempSync(join(tmpdir(), 'plumbline-waiting-'));
      this.fd = openSync(join(this.folder, 'items.jsonl'), 'w+');
      return true;
    } catch {
      if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
      this.folder = undefined;
      return false;
    }
  }

  private flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = Buffer.from(this.pending.join(''), 'utf8');
    for (let written = 0; written < text.length; ) {
      written += writeSync(this.fd, text, written, text.length - written);
    }
    this.pending = [];
    this.pendingLength = 0;
  }
}
