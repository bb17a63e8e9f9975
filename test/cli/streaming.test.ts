/**
 * Snapshots read as a stream and reports written as results arrive: the gzip limit holds per stream while
 * it is read, a bad item in a stream does not stop it, line numbers survive any cut of the text, the
 * document's other fields are still checked, and the writers keep nothing per compliant result.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { LISTED_OTHERS, type RenderOptions, reportWriter } from '../../cli/format/index.ts';
import { type ReportWriter, stringOutput } from '../../cli/format/stream.ts';
import {
  DEFAULT_LIMITS,
  itemStartLines,
  type SnapshotEntry,
  type StreamProgress,
  streamSnapshotFile,
} from '../../cli/input.ts';
import { ItemSpill } from '../../cli/item-spill.ts';
import { renderSnapshotProgress, snapshotProgress } from '../../cli/progress.ts';
import { type ReportEvaluation, type ReportRule, ReportTally } from '../../cli/report.ts';
import type { SourcedItem } from '../../cli/scan.ts';
import { ItemLineTracker, SnapshotDocumentReader } from '../../cli/snapshot-reader.ts';
import { CaptureIndex, RepeatLog, WAITING_LIMIT } from '../../cli/snapshot-scan.ts';
import { PARSE_PIECE } from '../../cli/text-pieces.ts';
import { InputError } from '../../shared/core/model.ts';
import { securityGroupItem } from '../fixtures/security-group/index.ts';
import { Capture, EXAMPLE_SNAPSHOT, REPO, runCli, tempDir } from './support/cli.ts';

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = tempDir('plumbline-streaming-');
});

/** A security group open (or not) on 22, as a Config snapshot item. */
function group(index: number, open = false) {
  const groupId = `sg-${String(index).padStart(17, '0')}`;
  const cidr = open ? '0.0.0.0/0' : '10.0.0.0/8';
  return {
    ...securityGroupItem(
      {
        groupId,
        ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: cidr }] }],
      },
      {},
    ),
    resourceId: groupId,
  };
}

/** Each evaluation of a JSON report of the files as `<resourceId> <compliance>`, in report order. */
async function scanVerdicts(files: string[], rule: string, toFile: boolean, folder = tempDir()) {
  const out = join(folder, 'report.json');
  const result = await runCli([
    'scan',
    '--snapshot',
    ...files,
    '--rule',
    rule,
    '--format',
    'json',
    ...(toFile ? ['--output', out] : []),
  ]);
  const report = JSON.parse(toFile ? readFileSync(out, 'utf8') : result.stdout);
  const verdicts: string[] = report.evaluations.map(
    (evaluation: { resourceId: string; compliance: string }) =>
      `${evaluation.resourceId} ${evaluation.compliance}`,
  );
  return { verdicts, stderr: result.stderr, code: result.code, report };
}

async function readAll(path: string, maxInputSize = DEFAULT_LIMITS.maxInputSize) {
  const entries: SnapshotEntry[] = [];
  const progress: StreamProgress[] = [];
  let error: unknown;
  try {
    await streamSnapshotFile(
      path,
      dir,
      { maxInputSize },
      (entry) => entries.push(entry),
      (read) => progress.push(read),
    );
  } catch (caught) {
    error = caught;
  }
  return { entries, progress, error };
}

describe('reading a snapshot as a stream', () => {
  it('stops a gzip stream as soon as it expands past --max-input-size, after the items read before it', async () => {
    // Two items, then 8 MiB of spaces (a few KiB gzipped): the limit of 1 MiB stops the expansion early.
    const text = `{"configurationItems": [${JSON.stringify(group(1))}, ${JSON.stringify(group(2))},${' '.repeat(8 * 2 ** 20)}]}`;
    const path = file('late-bomb.json.gz', gzipSync(text));
    const { entries, progress, error } = await readAll(path, 2 ** 20);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${path}: the gzip file expands to more than the 1 MiB limit (--max-input-size); refused (a gzip bomb, or a snapshot to split into smaller files)`,
    );
    expect(entries.map((entry) => ('item' in entry ? entry.item.resourceId : 'unreadable'))).toEqual([
      'sg-00000000000000001',
      'sg-00000000000000002',
    ]);
    // Counted while streaming: never more than the limit was handed to the parser.
    expect(Math.max(...progress.map((read) => read.bytes))).toBeLessThanOrEqual(2 ** 20);
  });

  it('hands the parser text in pieces of at most PARSE_PIECE bytes (no large-object strings), plain or gzipped, multibyte text included', async () => {
    // ~1.3 MiB of items, with a two-byte character in every one: 1 MiB reads and 128 KiB gunzip chunks.
    const items = Array.from({ length: 3000 }, (_, index) => ({
      ...group(index),
      resourceName: `grüppe-${index}-${'x'.repeat(300)}`,
    }));
    const text = JSON.stringify({ configurationItems: items });
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 ** 20);
    const fed = vi.spyOn(SnapshotDocumentReader.prototype, 'feed');
    try {
      for (const path of [file('pieces.json', text), file('pieces.json.gz', gzipSync(text))]) {
        fed.mockClear();
        const { entries, error } = await readAll(path);
        expect(error).toBeUndefined();
        expect(entries.map((entry) => ('item' in entry ? entry.item.resourceName : undefined))).toEqual(
          items.map((item) => item.resourceName),
        );
        const pieces = fed.mock.calls.map(([piece]) => Buffer.byteLength(piece));
        expect(pieces.length).toBeGreaterThan(40);
        // A character cut between two pieces is finished in the second: at most 3 bytes more.
        expect(Math.max(...pieces)).toBeLessThanOrEqual(PARSE_PIECE + 3);
      }
    } finally {
      fed.mockRestore();
    }
  });

  it('the limit is per stream: two files each under it are both read', async () => {
    const text = JSON.stringify({ configurationItems: [group(1), group(2)] });
    const limit = Buffer.byteLength(text) + 10;
    const first = await readAll(file('a.json.gz', gzipSync(text)), limit);
    const second = await readAll(file('b.json.gz', gzipSync(text)), limit);
    expect([first.error, second.error]).toEqual([undefined, undefined]);
    expect([first.entries.length, second.entries.length]).toEqual([2, 2]);
  });

  it('a bad item in the stream is handed on as unreadable, naming the item and field; the items after it are read', async () => {
    const items = [group(1), { ...group(2), awsRegion: 7 }, group(3)];
    const path = file('bad-middle.json', JSON.stringify({ configurationItems: items }, null, 2));
    const { entries, error } = await readAll(path);
    expect(error).toBeUndefined();
    expect(entries).toHaveLength(3);
    expect(entries[1]).toEqual({
      unreadable: expect.objectContaining({
        resourceId: 'sg-00000000000000002',
        problem:
          'Invalid configuration item: configurationItems[1].awsRegion: Invalid input: expected string, received number (got 7)',
      }),
      location: { file: path, line: expect.any(Number) },
    });
    expect(entries.map((entry) => entry.location?.line)).toEqual(
      itemStartLines(JSON.stringify({ configurationItems: items }, null, 2)),
    );
    expect('item' in (entries[2] as SnapshotEntry)).toBe(true);
  });

  it("checks the document's other fields at the end, naming the file and the field", async () => {
    const badVersion = file(
      'version.json',
      JSON.stringify({ configurationItems: [group(1)], fileVersion: 1 }),
    );
    expect((await readAll(badVersion)).error).toEqual(
      new InputError(`${badVersion}: fileVersion: Invalid input: expected string, received number (got 1)`),
    );
    const notArray = file('not-array.json', '{"configurationItems": {"a": 1}}');
    expect(((await readAll(notArray)).error as Error).message).toBe(
      `${notArray}: configurationItems: Invalid input: expected array, received object`,
    );
    const cut = file('cut.json.gz', gzipSync(`{"configurationItems": [${JSON.stringify(group(1))},`));
    expect(((await readAll(cut)).error as Error).message).toBe(
      `${cut}: not valid JSON: the text ends early (a file cut short?)`,
    );
  });

  it('reads select-resource-config output, whose QueryInfo comes after the rows', async () => {
    const row = JSON.stringify({ ...group(1), accountId: '123456789012', awsAccountId: undefined });
    const fields = [
      'resourceId',
      'resourceType',
      'accountId',
      'awsRegion',
      'configurationItemCaptureTime',
      'configurationItemStatus',
      'configuration',
      'supplementaryConfiguration',
      'tags',
    ].map((Name) => ({ Name }));
    const path = file('select.json', JSON.stringify({ Results: [row], QueryInfo: { SelectFields: fields } }));
    const { entries, error } = await readAll(path);
    expect(error).toBeUndefined();
    expect(entries.map((entry) => ('item' in entry ? entry.item.resourceId : 'unreadable'))).toEqual([
      'sg-00000000000000001',
    ]);
  });

  it('finds the same item lines whatever pieces the text arrives in', () => {
    const text = JSON.stringify(
      { fileVersion: '1.0', configurationItems: [group(1), { note: 'a "quoted" ]}[ string' }, group(2)] },
      null,
      2,
    );
    const whole = itemStartLines(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 20 }), (cuts) => {
        const tracker = new ItemLineTracker();
        let start = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          tracker.feed(text.slice(start, cut));
          start = cut;
        }
        tracker.feed(text.slice(start));
        expect(tracker.rest()).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the newest capture of each resource', () => {
  it('the capture index keeps the newest capture and claims it once', () => {
    const index = new CaptureIndex(4);
    for (let n = 0; n < 1000; n++) expect(index.record(`acct|region|type|id-${n}`, n)).toBeUndefined();
    expect(index.size).toBe(1000);
    expect(index.record('acct|region|type|id-7', 3)).toBe(7);
    expect(index.record('acct|region|type|id-7', 9)).toBe(7);
    expect(index.claim('acct|region|type|id-7', 7)).toBe(false);
    expect(index.claim('acct|region|type|id-7', 9)).toBe(true);
    expect(index.claim('acct|region|type|id-7', 9)).toBe(false);
    expect(index.size).toBe(1000);
  });

  it('in one file, an older capture after a newer one is left out, with a note', async () => {
    const newer = { ...group(1, false), configurationItemCaptureTime: '2026-11-02T00:00:00.000Z' };
    const older = { ...group(1, true), configurationItemCaptureTime: '2026-11-01T00:00:00.000Z' };
    const path = file('history.json', JSON.stringify({ configurationItems: [newer, older] }));
    const result = await runCli(['scan', '--snapshot', path, '--rule', 'security-group', '--format', 'json']);
    const report = JSON.parse(result.stdout);
    expect(report.evaluations.map((evaluation: { compliance: string }) => evaluation.compliance)).toEqual([
      'COMPLIANT',
    ]);
    expect(result.stderr).toContain(
      'plumbline: note: 1 older capture of resources already read was left out: each resource is judged at its newest capture\n',
    );
  });
});

describe('one file to a report file: a log of fingerprints on disk, not a capture index', () => {
  it('the repeat log finds a resource recorded twice, across partitions and buffer flushes, and only then', () => {
    const log = new RepeatLog(4);
    try {
      for (let n = 0; n < 20_000; n++) log.record(`123456789012|us-east-1|AWS::EC2::SecurityGroup|sg-${n}`);
      expect(log.hasRepeats()).toBe(false);
      log.record('123456789012|us-east-1|AWS::EC2::SecurityGroup|sg-12345');
      expect(log.hasRepeats()).toBe(true);
    } finally {
      log.dispose();
    }
    const other = new RepeatLog();
    other.record('a');
    other.record('b');
    expect(other.hasRepeats()).toBe(false);
    other.dispose();
    other.dispose();
  });

  it('judges as it reads and keeps no per-resource memory when no resource repeats', async () => {
    const record = vi.spyOn(CaptureIndex.prototype, 'record');
    const logged = vi.spyOn(RepeatLog.prototype, 'record');
    try {
      const path = file(
        'unique.json',
        JSON.stringify({ configurationItems: [group(1), group(2, true), group(3)] }),
      );
      const result = await scanVerdicts([path], 'security-group', true);
      expect(result.stderr).not.toContain('more than once');
      expect(logged).toHaveBeenCalledTimes(3);
      expect(record).not.toHaveBeenCalled();
      expect(result.report.summary.resources).toBe(3);
      expect(result.verdicts.map((verdict) => verdict.split(' ')[1])).toEqual([
        'COMPLIANT',
        'NON_COMPLIANT',
        'COMPLIANT',
      ]);
    } finally {
      record.mockRestore();
      logged.mockRestore();
    }
  });

  it('without a temporary folder for the log, keeps the capture index in memory and still judges every item', async () => {
    const record = vi.spyOn(CaptureIndex.prototype, 'record');
    const path = file('no-tmp.json', JSON.stringify({ configurationItems: [group(1), group(2, true)] }));
    const folder = tempDir();
    vi.stubEnv('TMPDIR', join(tempDir(), 'missing', 'folder'));
    try {
      const result = await scanVerdicts([path], 'security-group', true, folder);
      expect(result.code).toBe(1);
      expect(record).toHaveBeenCalledTimes(2);
      expect(result.verdicts.map((verdict) => verdict.split(' ')[1])).toEqual(['COMPLIANT', 'NON_COMPLIANT']);
    } finally {
      vi.unstubAllEnvs();
      record.mockRestore();
    }
  });

  it.each([
    ['newer first', ['2026-11-02', '2026-11-01']],
    ['older first', ['2026-11-01', '2026-11-02']],
  ])(
    'a resource read twice (%s): the reports start again and each resource is judged once, at its newest capture',
    async (_, [firstTime, secondTime]) => {
      // The newer capture is the open one (NON_COMPLIANT), wherever it stands in the file.
      const capture = (time: string | undefined, id: number) => ({
        ...group(id, time === '2026-11-02'),
        configurationItemCaptureTime: `${time}T00:00:00.000Z`,
      });
      const path = file(
        `repeat-${firstTime}.json`,
        JSON.stringify({ configurationItems: [capture(firstTime, 1), group(2), capture(secondTime, 1)] }),
      );
      const folder = tempDir();
      const out = join(folder, 'report.json');
      const table = join(folder, 'report.html');
      const result = await runCli([
        'scan',
        '--snapshot',
        path,
        '--rule',
        'security-group',
        '--format',
        'json',
        '--output',
        out,
        '--html',
        table,
      ]);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(
        report.evaluations.map(
          (evaluation: { resourceId: string; compliance: string }) =>
            `${evaluation.resourceId} ${evaluation.compliance}`,
        ),
      ).toEqual(
        firstTime === '2026-11-02'
          ? ['sg-00000000000000001 NON_COMPLIANT', 'sg-00000000000000002 COMPLIANT']
          : ['sg-00000000000000002 COMPLIANT', 'sg-00000000000000001 NON_COMPLIANT'],
      );
      expect(report.summary.resources).toBe(2);
      expect(result.stderr).toContain(
        'plumbline: note: a resource appears more than once in the snapshot: the reports were started again and the file read twice more, so that each resource is judged once, at its newest capture\n',
      );
      expect(result.stderr).toContain(
        'plumbline: note: 1 older capture of resources already read was left out',
      );
      // The first pass's reports were thrown away: only the finished reports are in the folder.
      expect(readdirSync(folder).sort()).toEqual(['report.html', 'report.json']);
    },
  );
});

describe('items waiting on disk', () => {
  it('gives back every item written out, in order and unchanged: text across read chunks, multibyte, no location', () => {
    const spill = new ItemSpill();
    const items = [
      {
        item: { ...group(1), configuration: { note: 'é中\ud83d\ude00\n"quoted"' } },
        location: { file: 'a.json', line: 3 },
      },
      {
        item: { ...group(2), configuration: { big: 'x'.repeat(3 * 2 ** 20 + 7), tail: 'ü' } },
        location: undefined,
      },
      { item: group(3), location: { file: 'b.json.gz' } },
    ] as unknown as SourcedItem[];
    for (const sourced of items) expect(spill.add(sourced)).toBe(true);
    const back: SourcedItem[] = [];
    spill.replay((sourced) => back.push(sourced));
    expect(back).toEqual(
      items.map(({ item, location }) => (location === undefined ? { item } : { item, location })),
    );
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('plumbline-waiting-'))).toEqual([]);
  });

  it('says it cannot when no temporary file can be made (the scan keeps the item in memory)', () => {
    vi.stubEnv('TMPDIR', join(tempDir(), 'missing', 'folder'));
    try {
      const spill = new ItemSpill();
      expect(spill.add({ item: group(1) } as unknown as SourcedItem)).toBe(false);
      const back: SourcedItem[] = [];
      spill.replay((sourced) => back.push(sourced));
      expect(back).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('account facts while streaming', () => {
  /** The example snapshot's buckets and its account-level block, with every setting of the block on. */
  function bucketsAndBlock() {
    const snapshot = JSON.parse(readFileSync(join(REPO, EXAMPLE_SNAPSHOT), 'utf8'));
    const items = snapshot.configurationItems as { resourceType: string; configuration: unknown }[];
    const block = items.find((item) => item.resourceType === 'AWS::S3::AccountPublicAccessBlock');
    if (block === undefined) throw new Error('the example has an AWS::S3::AccountPublicAccessBlock');
    block.configuration = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
    return { buckets: items.filter((item) => item.resourceType === 'AWS::S3::Bucket'), block };
  }

  async function verdicts(files: string[], toFile = false) {
    const scan = await scanVerdicts(files, 'public-bucket', toFile);
    return { verdicts: scan.verdicts.sort(), stderr: scan.stderr };
  }

  it('a bucket read before its account block item is judged with that block, as one read after it', async () => {
    const { buckets, block } = bucketsAndBlock();
    expect(buckets.length).toBeGreaterThan(1);
    const blockFirst = await verdicts([
      file('block-first.json', JSON.stringify({ configurationItems: [block, ...buckets] })),
    ]);
    const blockLast = await verdicts([
      file('block-last.json', JSON.stringify({ configurationItems: [...buckets, block] })),
    ]);
    expect(blockLast).toEqual(blockFirst);
    expect(blockLast.verdicts.filter((verdict: string) => verdict.endsWith('NON_COMPLIANT'))).toEqual([]);
    expect(blockLast.stderr).toBe('');
  });

  it(`more than ${WAITING_LIMIT} buckets before their account's block item: the rest wait on disk, same verdicts`, async () => {
    const { buckets, block } = bucketsAndBlock();
    const many = Array.from({ length: WAITING_LIMIT + 3 }, (_, index) => {
      const bucket = buckets[index % buckets.length] as unknown as Record<string, unknown>;
      const name = `bucket-${index}`;
      return { ...bucket, resourceId: name, resourceName: name, ARN: `arn:aws:s3:::${name}` };
    });
    const spilled = vi.spyOn(ItemSpill.prototype, 'add');
    const replayed = vi.spyOn(ItemSpill.prototype, 'replay');
    try {
      const blockFirst = await verdicts(
        [file('many-block-first.json', JSON.stringify({ configurationItems: [block, ...many] }))],
        true,
      );
      expect(spilled).not.toHaveBeenCalled();
      for (const toFile of [true, false]) {
        spilled.mockClear();
        const blockLast = await verdicts(
          [file(`many-block-last-${toFile}.json`, JSON.stringify({ configurationItems: [...many, block] }))],
          toFile,
        );
        // The limit in memory, the three past it on disk: read back at the end, judged with the block.
        expect(spilled.mock.results.map((result) => result.value)).toEqual([true, true, true]);
        expect(replayed).toHaveBeenCalled();
        expect(blockLast.verdicts).toEqual(blockFirst.verdicts);
        expect(blockLast.stderr).not.toContain('read twice more');
      }
      // Every bucket, and the account's own block item.
      expect(blockFirst.verdicts).toHaveLength(WAITING_LIMIT + 4);
      // No block at all: those on disk too are judged as having none, with the note.
      spilled.mockClear();
      const noBlock = await verdicts(
        [file('many-no-block.json', JSON.stringify({ configurationItems: many }))],
        true,
      );
      expect(spilled).toHaveBeenCalledTimes(3);
      expect(noBlock.verdicts).toHaveLength(WAITING_LIMIT + 3);
      expect(noBlock.stderr).toContain('AWS::S3::AccountPublicAccessBlock');
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith('plumbline-waiting-'))).toEqual([]);
    } finally {
      spilled.mockRestore();
      replayed.mockRestore();
    }
  });

  it('several files whose block items of one account differ: every bucket is judged with the newest, as in two passes', async () => {
    const { buckets, block } = bucketsAndBlock();
    const blockOff = {
      ...block,
      awsRegion: 'eu-west-1',
      configurationItemCaptureTime: '2099-01-01T00:00:00.000Z',
      configuration: {
        blockPublicAcls: false,
        ignorePublicAcls: false,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
    };
    const half = Math.ceil(buckets.length / 2);
    const files = [
      file('region-1.json', JSON.stringify({ configurationItems: [block, ...buckets.slice(0, half)] })),
      file('region-2.json', JSON.stringify({ configurationItems: [blockOff, ...buckets.slice(half)] })),
    ];
    const twoPasses = await verdicts(files);
    expect(
      twoPasses.verdicts.filter((verdict: string) => verdict.endsWith('NON_COMPLIANT')).length,
    ).toBeGreaterThan(0);
    const result = await verdicts(files, true);
    expect(result.verdicts).toEqual(twoPasses.verdicts);
    expect(result.stderr).toContain(
      `plumbline: note: account ${(block as unknown as { awsAccountId: string }).awsAccountId} has AWS::S3::AccountPublicAccessBlock items that differ: the reports were started again and the files read twice more, so that every bucket is judged with its account's newest Block Public Access item\n`,
    );
  });

  it('several files to a report file: a resource in two of them starts the reports again, and the files are read twice more', async () => {
    const earlier = { ...group(1), configurationItemCaptureTime: '2026-11-01T00:00:00.000Z' };
    const later = { ...group(1, true), configurationItemCaptureTime: '2026-11-02T00:00:00.000Z' };
    const result = await scanVerdicts(
      [
        file('later.json', JSON.stringify({ configurationItems: [later, group(2)] })),
        file('earlier.json', JSON.stringify({ configurationItems: [earlier] })),
      ],
      'security-group',
      true,
    );
    expect(result.stderr).toContain(
      'plumbline: note: a resource appears more than once in the snapshots: the reports were started again and the files read twice more, so that each resource is judged once, at its newest capture\n',
    );
    expect(result.verdicts).toEqual(['sg-00000000000000001 NON_COMPLIANT', 'sg-00000000000000002 COMPLIANT']);
  });

  it('a block item that cannot be read stops nothing: its buckets are judged as if the account had none, the item itself NON_COMPLIANT, with a note', async () => {
    const { buckets, block } = bucketsAndBlock();
    const broken = { ...block, configuration: { blockPublicAcls: 'yes' } };
    const withBroken = await verdicts([
      file('broken-block.json', JSON.stringify({ configurationItems: [...buckets, broken] })),
    ]);
    const withNone = await verdicts([file('no-block.json', JSON.stringify({ configurationItems: buckets }))]);
    const account = (block as unknown as { awsAccountId: string }).awsAccountId;
    expect(withBroken.verdicts).toEqual([...withNone.verdicts, `${account} NON_COMPLIANT`].sort());
    expect(
      withBroken.verdicts.filter((verdict: string) => verdict.endsWith(' NON_COMPLIANT')).length,
    ).toBeGreaterThan(1);
    expect(withBroken.stderr).toContain(
      `plumbline: note: account ${account}: its AWS::S3::AccountPublicAccessBlock item cannot be read (`,
    );
    expect(withBroken.stderr).toContain(
      'configuration: blockPublicAcls: Invalid input: expected boolean, received string); buckets are judged as if the account had no account-level Block Public Access',
    );
  });

  it('several files: the block item of a later file counts for the buckets of an earlier one', async () => {
    const { buckets, block } = bucketsAndBlock();
    const together = await verdicts([
      file('together.json', JSON.stringify({ configurationItems: [block, ...buckets] })),
    ]);
    const apart = await verdicts([
      file('buckets-only.json', JSON.stringify({ configurationItems: buckets })),
      file('block-only.json', JSON.stringify({ configurationItems: [block] })),
    ]);
    expect(apart).toEqual(together);
  });
});

describe('a scan that stops on bad input', () => {
  it('leaves no half-written report: the report file is renamed into place only at the end', async () => {
    const out = tempDir();
    const report = join(out, 'report.json');
    writeFileSync(report, 'the report of yesterday\n');
    // 2,000 groups, the gzip file cut in the middle: the first items are judged and written, then it ends.
    const whole = gzipSync(
      JSON.stringify({ configurationItems: Array.from({ length: 2000 }, (_, index) => group(index, true)) }),
    );
    const cut = file('cut-middle.json.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const written: number[] = [];
    await streamSnapshotFile(cut, dir, DEFAULT_LIMITS, () => written.push(1)).catch(() => {});
    expect(written.length).toBeGreaterThan(100);
    const result = await runCli(['scan', '--snapshot', cut, '--format', 'json', '--output', report]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline: ${cut}: truncated gzip file (unexpected end of file): it ends early; download it again\n`,
    });
    expect(readFileSync(report, 'utf8')).toBe('the report of yesterday\n');
    expect(readdirSync(out)).toEqual(['report.json']);
  });
});

describe('reports written as results arrive', () => {
  const rules: ReportRule[] = [
    { name: 'security-group', description: 'd', severity: 8, resourceTypes: [], parameterDocs: [] },
  ];
  const header = {
    version: '0.1.0',
    generatedAt: '2026-11-22T10:00:00.000Z',
    source: { kind: 'snapshot' as const, files: ['s.json'] },
    rules,
  };
  const options: RenderOptions = { colour: false, all: false, columns: 120, cwd: '/' };
  const evaluation = (index: number, compliance: ReportEvaluation['compliance']): ReportEvaluation => ({
    rule: 'security-group',
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: `sg-${index}`,
    compliance,
    annotation: compliance,
    reasons: [],
  });

  /** Feeds `compliant` compliant results and `failing` non-compliant ones; returns what the writer output. */
  function feed(
    writer: (out: { write(text: string): void }) => ReportWriter,
    compliant: number,
    failing: number,
  ) {
    const whole = stringOutput();
    let written = 0;
    const out = {
      write(text: string) {
        written += text.length;
        whole.write(text);
      },
    };
    const tally = new ReportTally(rules, 'non-compliant');
    const instance = writer(out);
    const sizes: number[] = [];
    for (let index = 0; index < compliant + failing; index++) {
      const each = evaluation(index, index < compliant ? 'COMPLIANT' : 'NON_COMPLIANT');
      tally.add(each);
      instance.evaluation(each);
      sizes.push(written);
    }
    instance.end({ summary: tally.summary(compliant + failing, []), errors: [], errorResults: [] });
    return { text: whole.text(), sizes };
  }

  it('JSON writes each result as it arrives (the text grows with every result) and ends with the counts', () => {
    const { text, sizes } = feed(
      (out) =>
        reportWriter('json', header, options, out, () => {
          throw new Error('JSON needs no spool');
        }),
      3000,
      2,
    );
    // From the first result on, each one is written when it arrives: nothing is held back.
    expect(sizes.every((size, index) => index === 0 || size > (sizes[index - 1] ?? 0))).toBe(true);
    const report = JSON.parse(text);
    expect(report.evaluations).toHaveLength(3002);
    expect(report.summary).toMatchObject({ evaluations: 3002, COMPLIANT: 3000, NON_COMPLIANT: 2 });
  });

  it('SARIF writes each non-compliant result as it arrives and nothing for compliant ones', () => {
    const { text, sizes } = feed(
      (out) =>
        reportWriter('sarif', header, options, out, () => {
          throw new Error('SARIF needs no spool');
        }),
      3000,
      2,
    );
    expect(new Set(sizes.slice(0, 3000)).size).toBe(1);
    expect(sizes[3001]).toBeGreaterThan(sizes[3000] ?? 0);
    const log = JSON.parse(text);
    expect(
      log.runs[0].results.map(
        (result: { properties: { resourceId: string } }) => result.properties.resourceId,
      ),
    ).toEqual(['sg-3000', 'sg-3001']);
    expect(log.runs[0].properties.summary).toMatchObject({ COMPLIANT: 3000, NON_COMPLIANT: 2 });
  });

  it('JUnit puts every test case in its rule spool as it arrives, then writes the suites with their counts', () => {
    const spooled: string[] = [];
    const { text } = feed(
      (out) =>
        reportWriter('junit', header, options, out, () => ({
          write: (part) => {
            spooled.push(part);
          },
          drainTo: (target) => {
            for (const part of spooled) target.write(part);
          },
          dispose: () => {},
        })),
      3000,
      2,
    );
    expect(spooled).toHaveLength(3002);
    expect(text).toContain(
      '<testsuite name="security-group" tests="3002" failures="2" errors="0" skipped="0"',
    );
    expect(text.match(/<testcase /g)).toHaveLength(3002);
  });

  it(`HTML keeps every finding but at most ${LISTED_OTHERS} compliant results, and says how many it left out`, () => {
    const compliant = LISTED_OTHERS + 2500;
    const { text } = feed(
      (out) =>
        reportWriter('html', header, options, out, () => {
          throw new Error('HTML needs no spool');
        }),
      compliant,
      3,
    );
    expect(text).toContain(
      '2,500 more evaluations not listed (the report lists the first 10,000 compliant and not-applicable ones)',
    );
    expect(text).toContain(`${(compliant).toLocaleString('en-US')} compliant`);
    for (const id of ['sg-12500', 'sg-12501', 'sg-12502']) expect(text).toContain(id);
    expect(text).not.toContain('sg-10000<');
  });
});

describe('progress on a terminal for snapshot scans', () => {
  it('shows the files, items read, the rate and the file, redrawn at most every 80 ms', () => {
    const stream = new Capture(true, 80);
    let clock = 1_000;
    const progress = snapshotProgress(stream, 2, 'scanning', () => clock);
    clock += 2_000;
    progress.update(0, { file: 'a.json.gz', items: 1_000 });
    clock += 10;
    progress.update(0, { file: 'a.json.gz', items: 1_500 });
    clock += 1_990;
    progress.update(1, { file: 'b.json', items: 500 });
    progress.finish();
    expect(stream.text).toBe(
      '\r\x1b[2Kscanning 1/2 files · 1,000 items · 500 items/s · a.json.gz' +
        '\r\x1b[2Kscanning 2/2 files · 2,000 items · 500 items/s · b.json' +
        '\r\x1b[2K',
    );
    expect(
      Array.from(
        renderSnapshotProgress(
          { step: 'scanning', file: 'x'.repeat(200), fileIndex: 0, files: 1, items: 1, rate: 1 },
          40,
        ),
      ),
    ).toHaveLength(39);
  });

  it('draws on a terminal during a CLI scan and is silent when standard error is not one', async () => {
    const path = file('groups.json', JSON.stringify({ configurationItems: [group(1), group(2, true)] }));
    const args = ['scan', '--snapshot', path, '--format', 'json', '--fail-on', 'none'];
    const onTerminal = await runCli(args, { stderrTTY: true });
    expect(onTerminal.stderr).toMatch(
      new RegExp(`^\\r\\x1b\\[2Kscanning 1/1 files · 2 items · [\\d,]+ items/s · ${path}\\r\\x1b\\[2K$`),
    );
    const piped = await runCli(args);
    expect(piped.stderr).toBe('');
  });
});
