/**
 * The snapshot scan as a stream: each item is judged by every rule as soon as it is read, and its
 * evaluations handed on; nothing per item is kept but the items that wait for an account fact (at most
 * {@link WAITING_LIMIT} in memory, the rest on disk) and either an 8-byte fingerprint on disk
 * ({@link RepeatLog}) or a 16-byte entry of the capture index in memory (the newest capture of each resource).
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEvaluable, isIdentified, judgeUnreadable } from '../shared/core/evaluate.ts';
import type { AccountFacts, ConfigurationItem } from '../shared/core/model.ts';
import {
  ACCOUNT_PUBLIC_ACCESS_BLOCK,
  missingBlockNote,
  readAccountBlock,
  unreadableBlockNote,
} from './facts.ts';
import type { SnapshotEntry } from './input.ts';
import { ItemSpill } from './item-spill.ts';
import type { ReportError, ReportEvaluation } from './report.ts';
import {
  judgeItem,
  neededFacts,
  type PreparedRule,
  reportEvaluation,
  type SourcedItem,
  unreadableErrors,
} from './scan.ts';

/** What the scan found besides its evaluations. */
export interface SnapshotScanResult {
  /** Distinct resources read. */
  resources: number;
  /** Unreadable items no evaluation stands for. */
  errors: ReportError[];
  notes: string[];
}

/**
 * Newest capture time per resource, in typed arrays addressed by a 64-bit fingerprint of the resource's
 * identity (two 32-bit FNV-1a hashes): 16 bytes a slot, at most half full. Two distinct resources share a
 * fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a million resources).
 */
export class CaptureIndex {
  private high = new Uint32Array(0);
  private low = new Uint32Array(0);
  private times = new Float64Array(0);
  private count = 0;

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Records a capture of the resource; returns the newest capture known before, if any. */
  record(identity: string, time: number): number | undefined {
    const [high, low] = fingerprint(identity);
    const known = this.slot(high, low);
    const before = this.times[known];
    if (before !== undefined && !Number.isNaN(before)) {
      if (time > before) this.times[known] = time;
      return before;
    }
    this.high[known] = high;
    this.low[known] = low;
    this.times[known] = time;
    this.count++;
    if (this.count * 2 > this.times.length) this.grow();
    return undefined;
  }

  /**
   * For an index of every capture (built by a first pass over several files): true the first time the
   * newest capture of its resource is offered, false for an older capture or a repeat.
   */
  claim(identity: string, time: number): boolean {
    const [high, low] = fingerprint(identity);
    const slot = this.slot(high, low);
    if (this.times[slot] !== time) return false;
    this.times[slot] = Number.POSITIVE_INFINITY;
    return true;
  }

  /** The slot holding the fingerprint, or the empty one where it would go. */
  private slot(high: number, low: number): number {
    const mask = this.times.length - 1;
    let index = (low ^ high) & mask;
    while (!Number.isNaN(this.times[index] ?? Number.NaN)) {
      if (this.high[index] === high && this.low[index] === low) return index;
      index = (index + 1) & mask;
    }
    return index;
  }

  private allocate(capacity: number): void {
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.times = new Float64Array(capacity).fill(Number.NaN);
  }

  private grow(): void {
    const { high, low, times } = this;
    this.allocate(times.length * 2);
    for (let index = 0; index < times.length; index++) {
      const time = times[index] ?? Number.NaN;
      if (Number.isNaN(time)) continue;
      const slot = this.slot(high[index] ?? 0, low[index] ?? 0);
      this.high[slot] = high[index] ?? 0;
      this.low[slot] = low[index] ?? 0;
      this.times[slot] = time;
    }
  }
}

/**
 * Whether any resource was read more than once, found in memory that does not grow with the snapshot: each
 * resource's 64-bit fingerprint is written to one of {@link REPEAT_PARTITIONS} temporary files by its low
 * bits (8 bytes a resource on disk), and {@link RepeatLog.hasRepeats} sorts each file alone (1/64 of the
 * resources) to look for two equal ones. A scan to report files of one file, or of several that share no
 * account and region, judges as it reads and keeps this log instead of a capture index; only when a
 * resource repeats (or the pass stops, {@link SinglePassStopped}) is the scan run again, exactly (cli/run.ts).
 */
export class RepeatLog {
  private readonly folder = mkdtempSync(join(tmpdir(), 'plumbline-repeats-'));
  /** A partition's file, opened when its buffer first fills (a small scan writes none). */
  private readonly files: (number | undefined)[] = new Array(REPEAT_PARTITIONS).fill(undefined);
  /** Fingerprints not yet written, a partition each: [low, high] pairs, read back as little-endian u64. */
  private readonly pending: Uint32Array[] = [];
  private readonly used = new Uint32Array(REPEAT_PARTITIONS);
  private closed = false;

  constructor(private readonly bufferedPerPartition = 1024) {
    for (let partition = 0; partition < REPEAT_PARTITIONS; partition++) {
      this.pending.push(new Uint32Array(bufferedPerPartition * 2));
    }
  }

  /** A log in a new temporary folder; undefined when none can be made (the scan keeps an index in memory). */
  static open(): RepeatLog | undefined {
    try {
      return new RepeatLog();
    } catch {
      return undefined;
    }
  }

  record(identity: string): void {
    const [high, low] = fingerprint(identity);
    const partition = low & (REPEAT_PARTITIONS - 1);
    const buffer = this.pending[partition] as Uint32Array;
    const used = this.used[partition] as number;
    buffer[used * 2] = low;
    buffer[used * 2 + 1] = high;
    this.used[partition] = used + 1;
    if (used + 1 === this.bufferedPerPartition) this.flush(partition);
  }

  /** True when two recorded identities share a fingerprint (a resource read twice; see {@link CaptureIndex}). */
  hasRepeats(): boolean {
    for (let partition = 0; partition < REPEAT_PARTITIONS; partition++) {
      const fd = this.files[partition];
      const written = fd === undefined ? 0 : fstatSync(fd).size;
      const used = this.used[partition] as number;
      const keys = new BigUint64Array(written / 8 + used);
      const view = new Uint8Array(keys.buffer);
      if (fd !== undefined) {
        for (let read = 0; read < written; ) read += readSync(fd, view, read, written - read, read);
      }
      view.set(new Uint8Array((this.pending[partition] as Uint32Array).buffer, 0, used * 8), written);
      keys.sort();
      for (let index = 1; index < keys.length; index++) if (keys[index] === keys[index - 1]) return true;
    }
    return false;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.files) if (fd !== undefined) closeSync(fd);
    rmSync(this.folder, { recursive: true, force: true });
  }

  private flush(partition: number): void {
    const used = this.used[partition] as number;
    if (used === 0) return;
    let fd = this.files[partition];
    if (fd === undefined) {
      fd = openSync(join(this.folder, String(partition)), 'w+');
      this.files[partition] = fd;
    }
    const bytes = new Uint8Array((this.pending[partition] as Uint32Array).buffer, 0, used * 8);
    for (let written = 0; written < bytes.length; ) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    this.used[partition] = 0;
  }
}

/**
 * How many items (buckets) wait in memory for their account's Block Public Access item; more wait on disk
 * ({@link ItemSpill}) until the end of the scan.
 */
export const WAITING_LIMIT = 1000;

/**
 * A single pass (see {@link RepeatLog}) that could judge differently from the two passes stops with this
 * (two block items of one account that disagree); the caller starts the reports again and reads the files
 * in the exact two passes.
 */
export class SinglePassStopped extends Error {
  /**
   * @param reason what the pass met, for the note: `account 111122223333 has … items that differ`.
   * @param purpose what the two passes ensure: `every bucket is judged with its account's newest …`.
   */
  constructor(
    reason: string,
    readonly purpose: string,
  ) {
    super(reason);
  }
}

/** How many files a {@link RepeatLog} spreads the fingerprints over (a power of two). */
export const REPEAT_PARTITIONS = 64;

/** Two 32-bit FNV-1a hashes of the text (the second seeded and mixed differently). */
function fingerprint(text: string): [number, number] {
  let high = 0x811c9dc5;
  let low = 0x01000193 ^ 0x9e3779b9;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    high = Math.imul(high ^ code, 0x01000193);
    low = Math.imul(low ^ code, 0x01000193) ^ (low >>> 15);
  }
  return [high >>> 0, low >>> 0];
}

/** The identity of the resource an item describes (one capture index entry each). */
export function resourceIdentity(item: ConfigurationItem): string {
  return `${item.accountId}|${item.region}|${item.resourceType}|${item.resourceId}`;
}

/**
 * Judges snapshot entries one at a time, handing each evaluation to `emit`:
 * - of several captures of one resource, the newest is judged. With `newest` (an index of every capture,
 *   from a first pass over several files) exactly that one is; else the newest read so far is, an older
 *   capture read later is left out (counted in a note), and a newer one read later is judged too (also in
 *   a note: streamed reports cannot take back what they wrote);
 * - an item a rule judges with account facts (a bucket: the account's Block Public Access) waits until its
 *   account's `AWS::S3::AccountPublicAccessBlock` item is read, or the end of the scan (no such item: the
 *   note says it was taken as absent, as before). With `knownBlocks` (the newest block item of every
 *   account, from the first pass over several files) nothing waits. At most {@link WAITING_LIMIT} items
 *   wait in memory, the others on disk until the end of the scan;
 * - with `repeats` (a single pass that may be run again), it stops with {@link SinglePassStopped} rather
 *   than judge with a block item another of the same account contradicts.
 */
export class SnapshotScan {
  private readonly captures: CaptureIndex;
  private readonly factRules: PreparedRule[];
  /** The rules that judge each resource type any rule names, in the rules' order. */
  private readonly rulesByType = new Map<string, readonly PreparedRule[]>();
  private readonly needsBlock: boolean;
  private readonly facts = new Map<string, AccountFacts>();
  private readonly waiting = new Map<string, SourcedItem[]>();
  private readonly unidentified: SnapshotEntry[] = [];
  private readonly blocksKnown: boolean;
  private readonly missingBlock = new Set<string>();
  private olderLeftOut = 0;
  private newerAfterOlder = 0;
  /** Items recorded in `repeats` (each a distinct resource unless the log finds a repeat). */
  private logged = 0;
  /** Items in `waiting`, all accounts together. */
  private waitingItems = 0;
  /** Accounts whose block item could not be read, with the problem (see {@link SnapshotScan.readBlock}). */
  private readonly unreadableBlocks = new Map<string, string>();
  /** Items waiting past {@link WAITING_LIMIT}. */
  private readonly spill = new ItemSpill();

  /**
   * @param repeats a single pass that may be run again: every item is judged and its resource recorded
   *   in the log (no capture index); the caller asks the log for repeats at the end.
   */
  constructor(
    private readonly prepared: readonly PreparedRule[],
    private readonly emit: (evaluation: ReportEvaluation) => void,
    private readonly newest?: CaptureIndex,
    knownBlocks?: ReadonlyMap<string, SourcedItem>,
    private readonly repeats?: RepeatLog,
  ) {
    this.captures = newest ?? new CaptureIndex();
    this.factRules = prepared.filter(({ rule }) => (rule.accountFacts?.length ?? 0) > 0);
    for (const type of new Set(prepared.flatMap(({ rule }) => rule.resourceTypes))) {
      this.rulesByType.set(
        type,
        prepared.filter(({ rule }) => rule.resourceTypes.includes(type)),
      );
    }
    this.needsBlock = neededFacts(prepared).includes('publicAccessBlock');
    // A first pass over several files found every account's block item: settled before any item waits.
    this.blocksKnown = knownBlocks !== undefined;
    if (this.needsBlock) for (const block of knownBlocks?.values() ?? []) this.settle(block);
  }

  add(entry: SnapshotEntry): void {
    if ('unreadable' in entry) {
      const { unreadable, location } = entry;
      if (!isIdentified(unreadable)) {
        this.unidentified.push(entry);
        return;
      }
      for (const { rule } of this.prepared) {
        if (!rule.resourceTypes.includes(unreadable.resourceType)) continue;
        this.emit(reportEvaluation(rule, unreadable, judgeUnreadable(rule, unreadable), location));
      }
      return;
    }
    const { item } = entry;
    if (this.newest !== undefined) {
      if (!this.newest.claim(resourceIdentity(item), Date.parse(item.captureTime))) {
        this.olderLeftOut++;
        return;
      }
    } else if (this.repeats !== undefined) {
      this.repeats.record(resourceIdentity(item));
      this.logged++;
    } else {
      if (!this.isNewestSoFar(item, Date.parse(item.captureTime))) return;
    }
    if (this.needsBlock && !this.blocksKnown && item.resourceType === ACCOUNT_PUBLIC_ACCESS_BLOCK) {
      this.settle(entry);
    }
    if (this.waitsForFacts(item)) {
      // Past WAITING_LIMIT in memory, a waiting item waits on disk until the end of the scan.
      if (this.waitingItems >= WAITING_LIMIT && this.spill.add(entry)) return;
      const queue = this.waiting.get(item.accountId) ?? [];
      queue.push(entry);
      this.waiting.set(item.accountId, queue);
      this.waitingItems++;
      return;
    }
    this.judge(entry);
  }

  /** Records the capture; false (and counted) when a capture as new or newer was read before. */
  private isNewestSoFar(item: ConfigurationItem, time: number): boolean {
    const before = this.captures.record(resourceIdentity(item), time);
    if (before !== undefined) {
      if (time <= before) {
        this.olderLeftOut++;
        return false;
      }
      this.newerAfterOlder++;
    }
    return true;
  }

  finish(): SnapshotScanResult {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const [account] of waiting) this.blockMissing(account);
    for (const [, queue] of waiting) for (const sourced of queue) this.judge(sourced);
    this.spill.replay((sourced) => {
      if (!this.facts.has(sourced.item.accountId)) this.blockMissing(sourced.item.accountId);
      this.judge(sourced);
    });
    const notes = [...this.missingBlock].sort((a, b) => a.localeCompare(b)).map(missingBlockNote);
    for (const [account, problem] of [...this.unreadableBlocks].sort(([a], [b]) => a.localeCompare(b))) {
      notes.push(unreadableBlockNote(account, problem));
    }
    if (this.olderLeftOut > 0) {
      notes.push(
        `${this.olderLeftOut} older capture${this.olderLeftOut === 1 ? '' : 's'} of resources already read ${this.olderLeftOut === 1 ? 'was' : 'were'} left out: each resource is judged at its newest capture`,
      );
    }
    if (this.newerAfterOlder > 0) {
      notes.push(
        `${this.newerAfterOlder} resource${this.newerAfterOlder === 1 ? '' : 's'} appeared again with a newer capture after an older one had been judged; both are in the report (give the newest snapshot first, or one snapshot per account and region)`,
      );
    }
    const unreadable = this.unidentified.flatMap((entry) => ('unreadable' in entry ? [entry] : []));
    return {
      resources: this.repeats === undefined ? this.captures.size : this.logged,
      errors: unreadableErrors(this.prepared, unreadable),
      notes,
    };
  }

  /** Removes what the scan keeps on disk (items waiting there), when it ends early. */
  dispose(): void {
    this.spill.dispose();
  }

  /** No block item of the account was read: judged as having none, and said so in a note. */
  private blockMissing(account: string): void {
    this.missingBlock.add(account);
    this.facts.set(account, { publicAccessBlock: null });
  }

  private waitsForFacts(item: ConfigurationItem): boolean {
    if (!this.needsBlock || this.facts.has(item.accountId)) return false;
    if (!this.factRules.some(({ rule }) => isEvaluable(rule, item))) return false;
    if (!this.blocksKnown) return true;
    // Every block item is known: this account has none.
    this.missingBlock.add(item.accountId);
    this.facts.set(item.accountId, { publicAccessBlock: null });
    return false;
  }

  private settle(sourced: SourcedItem): void {
    const { item } = sourced;
    const publicAccessBlock = this.readBlock(sourced);
    const settled = this.facts.get(item.accountId);
    // A second block item of the account (another region's file) that says otherwise: the items judged so
    // far may have used the older one; the two passes judge every bucket with the newest.
    if (
      this.repeats !== undefined &&
      settled !== undefined &&
      JSON.stringify(settled.publicAccessBlock) !== JSON.stringify(publicAccessBlock)
    ) {
      throw new SinglePassStopped(
        `account ${item.accountId} has ${ACCOUNT_PUBLIC_ACCESS_BLOCK} items that differ`,
        "every bucket is judged with its account's newest Block Public Access item",
      );
    }
    this.facts.set(item.accountId, { publicAccessBlock });
    const queue = this.waiting.get(item.accountId);
    if (queue === undefined) return;
    this.waiting.delete(item.accountId);
    this.waitingItems -= queue.length;
    for (const waiting of queue) this.judge(waiting);
  }

  /** The account's Block Public Access; a block item that cannot be read is noted (see readAccountBlock). */
  private readBlock(sourced: SourcedItem): AccountFacts['publicAccessBlock'] {
    const { publicAccessBlock, problem } = readAccountBlock(sourced);
    if (problem === undefined) this.unreadableBlocks.delete(sourced.item.accountId);
    else this.unreadableBlocks.set(sourced.item.accountId, problem);
    return publicAccessBlock;
  }

  private judge({ item, location }: SourcedItem): void {
    const facts = this.facts.get(item.accountId) ?? {};
    for (const prepared of this.rulesByType.get(item.resourceType) ?? []) {
      this.emit(judgeItem(prepared, item, location, () => facts));
    }
  }
}
