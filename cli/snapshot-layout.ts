/**
 * The layout AWS Config delivers to S3, recognised in the snapshot files a scan is given:
 * `[prefix/]AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigSnapshot/<account>_Config_<region>_ConfigSnapshot_<yyyymmddThhmmssZ>_<snapshot id>.json.gz`
 * (the object key of a "Configuration Snapshot Delivery Completed" notification, AWS Config Developer Guide,
 * "Example Configuration Snapshot Delivery Notification"). Configuration history files sit beside them, under
 * `ConfigHistory/`, named `<account>_Config_<region>_ConfigHistory_<resource type>_<times…>.json.gz`.
 *
 * The file name alone says the account, the region and when the snapshot was taken, so the selection needs
 * no reading: the newest snapshot of each account and region is kept (unless every one is asked for), and
 * `--account`/`--region` leave out other accounts' and regions' files before they are opened. History files
 * are changes, not a complete picture: found in a folder they are skipped (named, with the reason); a file
 * named on the command line is always read. A file whose name is not in the layout is read as before.
 */
import { basename } from 'node:path';

/** A snapshot file named as Config names it. */
export interface LayoutSnapshot {
  file: string;
  accountId: string;
  region: string;
  /** As in the name, `20160927T183939Z`: the order of these strings is the order in time. */
  takenAt: string;
  snapshotId: string;
}

export type LayoutFile =
  | ({ kind: 'snapshot' } & LayoutSnapshot)
  | { kind: 'history'; file: string; accountId: string; region: string };

const SNAPSHOT_NAME =
  /^(\d{12})_Config_([a-z]{2}(?:-[a-z]+)+-\d+)_ConfigSnapshot_(\d{8}T\d{6}Z)_([^_/\\]+)\.json(?:\.gz)?$/;
const HISTORY_NAME = /^(\d{12})_Config_([a-z]{2}(?:-[a-z]+)+-\d+)_ConfigHistory_.+\.json(?:\.gz)?$/;

/** What the file's name says, when it is named as Config names its deliveries. */
export function layoutFile(file: string): LayoutFile | undefined {
  const name = basename(file);
  const snapshot = SNAPSHOT_NAME.exec(name);
  if (snapshot !== null) {
    const [, accountId = '', region = '', takenAt = '', snapshotId = ''] = snapshot;
    return { kind: 'snapshot', file, accountId, region, takenAt, snapshotId };
  }
  const history = HISTORY_NAME.exec(name);
  if (history !== null) {
    const [, accountId = '', region = ''] = history;
    return { kind: 'history', file, accountId, region };
  }
  return undefined;
}

export interface SelectionOptions {
  /** `--all-snapshots`: every snapshot, not only the newest of each account and region. */
  allSnapshots: boolean;
  /** `--account`: only these accounts (empty: every one). */
  accounts: readonly string[];
  /** `--region`: only these regions (empty: every one). */
  regions: readonly string[];
  /** The paths as given on the command line: such a file is read even if it is a history file. */
  named: readonly string[];
}

export interface SkippedFile {
  file: string;
  why: 'older snapshot' | 'configuration history file' | 'file outside --account/--region';
  reason: string;
}

const PLURAL: Record<SkippedFile['why'], string> = {
  'older snapshot': 'older snapshots',
  'configuration history file': 'configuration history files',
  'file outside --account/--region': 'files outside --account/--region',
};

export interface SnapshotSelection {
  /** The files to read, in the order given. */
  files: string[];
  /** The layout snapshots among them, by account and region. */
  chosen: LayoutSnapshot[];
  skipped: SkippedFile[];
}

/**
 * The files to read. Of the layout's snapshots of one account and region, the newest by the time in its name;
 * two taken the same second (a delivery asked for twice) are told apart by the snapshot id, the greatest
 * kept, so the choice never depends on the order the files were found in.
 */
export function selectSnapshots(files: readonly string[], options: SelectionOptions): SnapshotSelection {
  const named = new Set(options.named);
  const skipped: SkippedFile[] = [];
  const newest = new Map<string, LayoutSnapshot>();
  const keep = new Set<string>();
  for (const file of files) {
    const layout = layoutFile(file);
    if (layout === undefined) {
      keep.add(file);
      continue;
    }
    const outside = outsideFilters(layout, options);
    if (outside !== undefined) {
      skipped.push({ file, why: 'file outside --account/--region', reason: outside });
      continue;
    }
    if (layout.kind === 'history') {
      if (named.has(file)) keep.add(file);
      else {
        skipped.push({
          file,
          why: 'configuration history file',
          reason: 'a configuration history file (changes, not a snapshot)',
        });
      }
      continue;
    }
    if (options.allSnapshots) {
      keep.add(file);
      continue;
    }
    const key = `${layout.accountId} ${layout.region}`;
    const known = newest.get(key);
    if (known === undefined || isNewer(layout, known)) newest.set(key, layout);
  }
  for (const snapshot of newest.values()) keep.add(snapshot.file);
  for (const file of files) {
    const layout = layoutFile(file);
    const kept = layout?.kind === 'snapshot' ? newest.get(`${layout.accountId} ${layout.region}`) : undefined;
    if (kept !== undefined && kept.file !== file && !keep.has(file)) {
      skipped.push({
        file,
        why: 'older snapshot',
        reason: `an older snapshot of ${kept.accountId} ${kept.region} (the one taken ${isoTime(kept.takenAt)} is newer; --all-snapshots reads every one)`,
      });
    }
  }
  const selected = files.filter((file) => keep.has(file));
  const chosen = selected
    .map(layoutFile)
    .filter((layout): layout is { kind: 'snapshot' } & LayoutSnapshot => layout?.kind === 'snapshot')
    .map(({ kind: _kind, ...snapshot }) => snapshot)
    .sort(
      (a, b) =>
        compare(a.accountId, b.accountId) || compare(a.region, b.region) || compare(a.takenAt, b.takenAt),
    );
  return { files: selected, chosen, skipped };
}

function isNewer(candidate: LayoutSnapshot, known: LayoutSnapshot): boolean {
  return (
    candidate.takenAt > known.takenAt ||
    (candidate.takenAt === known.takenAt && candidate.snapshotId > known.snapshotId)
  );
}

function outsideFilters(layout: LayoutFile, options: SelectionOptions): string | undefined {
  if (options.accounts.length > 0 && !options.accounts.includes(layout.accountId)) {
    return `account ${layout.accountId} is not among --account ${options.accounts.join(',')}`;
  }
  if (options.regions.length > 0 && !options.regions.includes(layout.region)) {
    return `region ${layout.region} is not among --region ${options.regions.join(',')}`;
  }
  return undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The most chosen or skipped files listed one by one; the rest are counted. */
export const LISTED_FILES = 20;

/**
 * What the selection did, in lines for standard error: how many snapshots were read and how many left out,
 * by reason, then the files (the first {@link LISTED_FILES} of each list, the rest counted), so that nothing
 * is dropped silently. Nothing when no file was skipped.
 */
export function describeSelection(selection: SnapshotSelection): string[] {
  const { chosen, skipped } = selection;
  // Every file given was read: nothing to tell (the report's source names them).
  if (skipped.length === 0) return [];
  const accounts = new Set(chosen.map((snapshot) => snapshot.accountId)).size;
  const places = new Set(chosen.map((snapshot) => `${snapshot.accountId} ${snapshot.region}`)).size;
  return [
    `snapshots in the AWS Config layout: reading ${count(chosen.length, 'snapshot')} of ${count(accounts, 'account')} in ${count(places, 'account and region pair')}` +
      `; skipped ${skippedCounts(skipped)}`,
    ...listed(
      chosen.map(
        (snapshot) =>
          `read ${snapshot.accountId} ${snapshot.region} taken ${isoTime(snapshot.takenAt)}: ${snapshot.file}`,
      ),
    ),
    ...listed(skipped.map((file) => `skipped ${file.file}: ${file.reason}`)),
  ];
}

/** The files skipped, counted by reason in a fixed order: `2 older snapshots, 1 configuration history file`. */
export function skippedCounts(skipped: readonly SkippedFile[]): string {
  const reasons = new Map<SkippedFile['why'], number>();
  for (const { why } of skipped) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  return (Object.keys(PLURAL) as SkippedFile['why'][])
    .flatMap((why) => {
      const count = reasons.get(why) ?? 0;
      return count === 0 ? [] : [count === 1 ? `1 ${why}` : `${count} ${PLURAL[why]}`];
    })
    .join(', ');
}

function listed(lines: readonly string[]): string[] {
  const shown = lines.slice(0, LISTED_FILES).map((line) => `  ${line}`);
  return lines.length > LISTED_FILES ? [...shown, `  … ${lines.length - LISTED_FILES} more`] : shown;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

/** `20160927T183939Z` as `2016-09-27T18:39:39Z`. */
export function isoTime(takenAt: string): string {
  return takenAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
}

/**
 * The account and region a layout file's name gives, for an item of it that could not be read and does not
 * say them itself.
 */
export function placeOfFile(file: string): { accountId: string; region: string } | undefined {
  const layout = layoutFile(file);
  return layout === undefined ? undefined : { accountId: layout.accountId, region: layout.region };
}
