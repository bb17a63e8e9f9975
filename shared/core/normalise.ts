/**
 * Configuration items arrive in several shapes; this module turns each into one {@link ConfigurationItem}.
 *
 * - Config rule Lambda event (`invokingEvent.configurationItem`): `configuration` is an object, `awsAccountId`,
 *   `ARN`, tags as a map; supplementary values are objects or, like S3's `AccessControlList`, JSON strings.
 * - `GetResourceConfigHistory` / `BatchGetResourceConfig` (SDK and CLI output): `configuration` and every
 *   supplementary value are JSON strings, `accountId`, `arn`, capture time a Date (SDK), a string (CLI v2)
 *   or epoch seconds (CLI v1, or v2 with `cli_timestamp_format = wire`), and `BatchGetResourceConfig` items
 *   carry no `tags` field at all.
 * - Snapshot files delivered to S3 (`{fileVersion, configSnapshotId, configurationItems}`): the event shape.
 * - Advanced query (`SelectResourceConfig`) results: a JSON string a row, `configuration` an object,
 *   tags a list of `{key, value}`.
 */
import * as z from 'zod';
import {
  type ConfigurationItem,
  type ConfigurationItemStatus,
  describeZodError,
  InputError,
  isNullishText,
  isPlainObject,
} from './model.ts';

export const CONFIGURATION_ITEM_STATUSES = [
  'OK',
  'ResourceDiscovered',
  'ResourceNotRecorded',
  'ResourceDeleted',
  'ResourceDeletedNotRecorded',
] as const satisfies readonly ConfigurationItemStatus[];

const tagListEntry = z.looseObject({
  key: z.string().optional(),
  Key: z.string().optional(),
  value: z.string().nullish(),
  Value: z.string().nullish(),
});

const tagsInput = z.union([z.record(z.string(), z.string().nullable()), z.array(tagListEntry)]).nullish();

/**
 * Below this magnitude an epoch number is in seconds, above it in milliseconds: 1e11 seconds is the year
 * 5138, 1e11 milliseconds is March 1973, long before AWS Config existed.
 */
const EPOCH_SECONDS_LIMIT = 1e11;

/** An epoch number as milliseconds: seconds (fractions allowed) when below 1e11, else milliseconds. */
export function epochMilliseconds(value: number): number {
  return Math.abs(value) < EPOCH_SECONDS_LIMIT ? Math.round(value * 1000) : value;
}

const timestamp = z.union([
  z.date(),
  z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 timestamp'),
  // Epoch numbers: the AWS CLI v1 (and v2 with cli_timestamp_format=wire) prints seconds such as
  // 1763652000.123; other tools print milliseconds. Beyond ±8.64e15 ms `toISOString` would throw a RangeError.
  z
    .number()
    .refine(
      (value) => !Number.isNaN(new Date(epochMilliseconds(value)).getTime()),
      'must be a time in seconds or milliseconds since 1970',
    ),
]);

/** The capture time in `toISOString`'s form; a text already in that form, a real instant, is kept as it is. */
export function captureTime(value: Date | string | number): string {
  if (typeof value === 'string' && isCanonicalTime(value)) return value;
  return new Date(typeof value === 'number' ? epochMilliseconds(value) : value).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at `index` (0-9), or -1 when the character there is not an ASCII digit. */
function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - 0x30;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

/** The number the ASCII digits from `start` up to `end` write, or -1 when one of them is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = digitAt(text, index);
    if (digit < 0) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * True when `new Date(text).toISOString()` would give the text back: `YYYY-MM-DDTHH:mm:ss.sssZ`, the form
 * Config writes, with a month, day, hour, minute and second that exist (`Date` rolls 2024-02-30 over to
 * March 1st, and `T24:00` to the next day; those take the slow path). Read character by character: parsing
 * and printing every item's time was 3% of a snapshot scan, and a regular expression with groups half that.
 */
function isCanonicalTime(text: string): boolean {
  if (text.length !== 24) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  const separated =
    text.charCodeAt(4) === 0x2d && // -
    text.charCodeAt(7) === 0x2d &&
    text.charCodeAt(10) === 0x54 && // T
    text.charCodeAt(13) === 0x3a && // :
    text.charCodeAt(16) === 0x3a &&
    text.charCodeAt(19) === 0x2e && // .
    text.charCodeAt(23) === 0x5a; // Z
  if (!separated || year < 0 || digitsAt(text, 20, 23) < 0) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));
}

/** Accepts every source's field names; `normaliseConfigurationItem` picks whichever is present. */
const rawConfigurationItem = z
  .looseObject({
    resourceType: z.string().min(1),
    resourceId: z.string().min(1),
    resourceName: z.string().nullish(),
    ARN: z.string().nullish(),
    arn: z.string().nullish(),
    awsAccountId: z.string().nullish(),
    accountId: z.string().nullish(),
    awsRegion: z.string().min(1),
    configurationItemCaptureTime: timestamp,
    configurationItemStatus: z.enum(CONFIGURATION_ITEM_STATUSES),
    configuration: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
    supplementaryConfiguration: z.record(z.string(), z.unknown()).nullish(),
    tags: tagsInput,
  })
  .refine((item) => (item.awsAccountId ?? item.accountId) != null, {
    message: 'awsAccountId (or accountId) is required',
    path: ['awsAccountId'],
  });

export type RawConfigurationItem = z.input<typeof rawConfigurationItem>;

const STATUSES: ReadonlySet<unknown> = new Set(CONFIGURATION_ITEM_STATUSES);

const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value !== '';

function isTimestamp(value: unknown): boolean {
  if (typeof value === 'string') return isCanonicalTime(value) || !Number.isNaN(Date.parse(value));
  if (typeof value === 'number') {
    return Number.isFinite(value) && !Number.isNaN(new Date(epochMilliseconds(value)).getTime());
  }
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function isTagEntry(entry: unknown): boolean {
  if (!isPlainObject(entry)) return false;
  const optional = (value: unknown) => value === undefined || typeof value === 'string';
  return (
    optional(entry.key) && optional(entry.Key) && isNullishText(entry.value) && isNullishText(entry.Value)
  );
}

function isTags(tags: unknown): boolean {
  if (tags == null) return true;
  if (Array.isArray(tags)) return tags.every(isTagEntry);
  if (!isPlainObject(tags)) return false;
  for (const key in tags) {
    const value = tags[key];
    if (value !== null && typeof value !== 'string') return false;
  }
  return true;
}

/**
 * The per-item fast path: the checks of {@link rawConfigurationItem}, by hand, on the fields the rules read.
 * It may refuse what zod accepts (zod then decides), never the reverse: the property test in
 * test/foundation/normalise-fast-path.test.ts holds the two to the same answers and the same items.
 */
export function isWellFormedItem(input: unknown): input is RawConfigurationItem {
  if (!isPlainObject(input)) return false;
  const { configuration, supplementaryConfiguration } = input;
  return (
    isNonEmptyString(input.resourceType) &&
    isNonEmptyString(input.resourceId) &&
    isNullishText(input.resourceName) &&
    isNullishText(input.ARN) &&
    isNullishText(input.arn) &&
    isNullishText(input.awsAccountId) &&
    isNullishText(input.accountId) &&
    (input.awsAccountId ?? input.accountId) != null &&
    isNonEmptyString(input.awsRegion) &&
    isTimestamp(input.configurationItemCaptureTime) &&
    STATUSES.has(input.configurationItemStatus) &&
    (configuration === undefined ||
      configuration === null ||
      typeof configuration === 'string' ||
      isPlainObject(configuration)) &&
    (supplementaryConfiguration == null || isPlainObject(supplementaryConfiguration)) &&
    isTags(input.tags)
  );
}

/**
 * Normalises one configuration item from any source. Throws an {@link InputError} naming the field that
 * is missing or malformed, prefixed with `where` (e.g. `invokingEvent.configurationItem`).
 */
export function normaliseConfigurationItem(input: unknown, where = 'configurationItem'): ConfigurationItem {
  // The hand-written guard accepts only what the schema accepts; anything else goes to zod, which either
  // accepts it too (an unusual but valid shape) or names the field that is wrong.
  return fromRawItem(isWellFormedItem(input) ? input : parseRawItem(input, where), where);
}

/** {@link normaliseConfigurationItem} through the zod schema alone (the reference the fast path is held to). */
export function normaliseThroughSchema(input: unknown, where = 'configurationItem'): ConfigurationItem {
  return fromRawItem(parseRawItem(input, where), where);
}

function parseRawItem(input: unknown, where: string): RawConfigurationItem {
  const parsed = rawConfigurationItem.safeParse(input);
  if (!parsed.success)
    throw new InputError(`Invalid configuration item: ${describeZodError(parsed.error, where, input)}`);
  return parsed.data;
}

function fromRawItem(item: RawConfigurationItem, where: string): ConfigurationItem {
  const configuration = parseConfiguration(item.configuration, `${where}.configuration`);
  return {
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName ?? undefined,
    arn: item.ARN ?? item.arn ?? undefined,
    accountId: (item.awsAccountId ?? item.accountId) as string,
    region: item.awsRegion,
    captureTime: captureTime(item.configurationItemCaptureTime),
    status: item.configurationItemStatus,
    tags: item.tags != null ? tagMap(item.tags) : tagMap(tagsFromConfiguration(configuration)),
    configuration,
    supplementaryConfiguration: parseSupplementary(item.supplementaryConfiguration ?? {}),
  };
}

/**
 * An item that could not be read into a {@link ConfigurationItem}: the fields that identify it, as far as they
 * are readable, and the problem (the {@link InputError}'s message, naming the field).
 */
export interface UnreadableItem {
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  resourceName?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  status?: string | undefined;
  problem: string;
}

/** One item as read: the item, or why it could not be read. */
export type ItemReading =
  | { item: ConfigurationItem; unreadable?: undefined }
  | { unreadable: UnreadableItem; item?: undefined };

/**
 * Like {@link normaliseConfigurationItem}, but a malformed item is returned as {@link UnreadableItem}
 * rather than thrown, so that one bad item among many does not stop the others.
 */
export function readConfigurationItem(input: unknown, where = 'configurationItem'): ItemReading {
  try {
    return { item: normaliseConfigurationItem(input, where) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { unreadable: { ...identityOf(input), problem: error.message } };
  }
}

/** {@link readConfigurationItem} for one row of `SelectResourceConfig` results (a JSON string). */
export function readSelectResult(row: string, where = 'SelectResourceConfig result'): ItemReading {
  try {
    return { item: normaliseSelectResult(row, where) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { unreadable: { ...identityOf(parseJson(row)), problem: error.message } };
  }
}

const IDENTITY_FIELDS = {
  resourceType: ['resourceType'],
  resourceId: ['resourceId'],
  resourceName: ['resourceName'],
  accountId: ['awsAccountId', 'accountId'],
  region: ['awsRegion'],
  status: ['configurationItemStatus'],
} as const;

/** The identifying fields of a raw item that are non-empty strings. */
function identityOf(input: unknown): Omit<UnreadableItem, 'problem'> {
  if (typeof input !== 'object' || input === null) return {};
  const record = input as Record<string, unknown>;
  const identity: Omit<UnreadableItem, 'problem'> = {};
  for (const [field, names] of Object.entries(IDENTITY_FIELDS)) {
    const value = names
      .map((name) => record[name])
      .find((candidate) => typeof candidate === 'string' && candidate !== '');
    if (typeof value === 'string') identity[field as keyof typeof IDENTITY_FIELDS] = value;
  }
  return identity;
}

/** Parses one row of `SelectResourceConfig` results (a JSON string) into a configuration item. */
export function normaliseSelectResult(row: string, where = 'SelectResourceConfig result'): ConfigurationItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row);
  } catch {
    throw new InputError(`Invalid ${where}: not JSON`);
  }
  return normaliseConfigurationItem(parsed, where);
}

function parseConfiguration(value: unknown, where: string): Record<string, unknown> | null {
  if (value == null) return null;
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    // A configuration that does not parse cannot be evaluated: say so rather than treat it as absent.
    if (parsed === undefined && value.trim() !== '') {
      throw new InputError(`Invalid ${where}: not valid JSON: ${JSON.stringify(value).slice(0, 80)}`);
    }
    if (parsed === null || parsed === undefined) return null;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError(
        `Invalid ${where}: expected a JSON object, got ${JSON.stringify(value).slice(0, 80)}`,
      );
    }
    return parsed as Record<string, unknown>;
  }
  return value as Record<string, unknown>;
}

/** Supplementary values come as JSON strings from the APIs and sometimes in events; parse those that are. */
function parseSupplementary(values: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    result[key] = typeof value === 'string' ? (parseJson(value) ?? value) : value;
  }
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type TagsInput = z.infer<typeof tagsInput>;

function tagMap(tags: TagsInput): Record<string, string> {
  const result: Record<string, string> = {};
  if (tags == null) return result;
  if (Array.isArray(tags)) {
    for (const entry of tags) {
      const key = entry.key ?? entry.Key;
      if (key !== undefined) result[key] = entry.value ?? entry.Value ?? '';
    }
    return result;
  }
  for (const [key, value] of Object.entries(tags)) result[key] = value ?? '';
  return result;
}

/** `BatchGetResourceConfig` items have no `tags`; most resource types repeat them in `configuration.tags`. */
function tagsFromConfiguration(configuration: Record<string, unknown> | null): TagsInput {
  const candidate = configuration?.tags ?? configuration?.Tags;
  if (isTags(candidate)) return candidate as TagsInput;
  const parsed = tagsInput.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

const snapshotFile = z.looseObject({
  fileVersion: z.string().optional(),
  configSnapshotId: z.string().optional(),
  configurationItems: z.array(z.unknown()),
});

/**
 * The fields Plumbline selects from Config's advanced query (the periodic scan, the CLI's live scan), and
 * that a `select-resource-config` file must have selected: all but `resourceName` and `arn`, which only
 * name the resource in reports.
 */
export const SELECT_FIELDS = [
  'resourceId',
  'resourceName',
  'resourceType',
  'arn',
  'accountId',
  'awsRegion',
  'configurationItemCaptureTime',
  'configurationItemStatus',
  'configuration',
  'supplementaryConfiguration',
  'tags',
] as const;

const NAMING_FIELDS: ReadonlySet<string> = new Set(['resourceName', 'arn']);
export const SELECT_REQUIRED_FIELDS = SELECT_FIELDS.filter((field) => !NAMING_FIELDS.has(field));

const OPTIONAL_IN_ROWS: ReadonlySet<string> = new Set(['tags', 'supplementaryConfiguration']);

/** The query to run, as the CLI's help gives it. */
export const SELECT_FIELDS_HINT = `SELECT ${SELECT_FIELDS.join(', ')}`;

/**
 * A `select-resource-config` document whose query left out a field the rules need fails here, naming the
 * field, rather than every row being judged without it. The fields selected are `QueryInfo.SelectFields`
 * (the AWS CLI prints them), or else the keys the rows carry.
 */
function checkSelectedFields(record: Record<string, unknown>, rows: string[], where: string): void {
  const declared = (record.QueryInfo as { SelectFields?: unknown } | null | undefined)?.SelectFields;
  let selected: Set<string>;
  if (Array.isArray(declared)) {
    selected = new Set(declared.map((field) => String((field as { Name?: unknown } | null)?.Name)));
  } else {
    if (rows.length === 0) return;
    selected = new Set();
    for (const row of rows) {
      const parsed = parseJson(row);
      // A row that is not an object fails on its own, with its own message.
      if (typeof parsed !== 'object' || parsed === null) return;
      for (const key of Object.keys(parsed)) selected.add(key);
    }
    // `awsAccountId` is the event shape's name for the same field.
    if (selected.has('awsAccountId')) selected.add('accountId');
  }
  // Rows leave out a field that is empty for them (an untagged resource may carry no `tags`), so without
  // QueryInfo only the fields every item has are required.
  const required = Array.isArray(declared)
    ? SELECT_REQUIRED_FIELDS
    : SELECT_REQUIRED_FIELDS.filter((field) => !OPTIONAL_IN_ROWS.has(field));
  const missing = required.filter((field) => !selected.has(field));
  if (missing.length > 0) {
    throw new InputError(
      `${where}: Results: the query did not select ${missing.join(', ')}; select-resource-config output needs ${SELECT_FIELDS_HINT}`,
    );
  }
}

/**
 * Reads the items of any supported file shape: a Config snapshot (`configurationItems`), the CLI's
 * `batch-get-resource-config` output (`baseConfigurationItems`), `get-resource-config-history` output
 * (`configurationItems`), or `select-resource-config` output (`Results`, JSON strings). The first
 * malformed item fails the whole document; {@link readItemsFromDocument} reads the others too.
 */
export function itemsFromDocument(document: unknown, where: string): ConfigurationItem[] {
  return readItemsFromDocument(document, where).map((reading) => {
    if (reading.unreadable) throw new InputError(`${where}: ${reading.unreadable.problem}`);
    return reading.item;
  });
}

/**
 * Each item of a document as read: a document whose shape is wrong fails as a whole (naming `where` and the
 * field), a malformed item is returned as an {@link UnreadableItem} among the others, its problem naming
 * the item (`configurationItems[3].configuration: …`) but not `where`.
 */
export function readItemsFromDocument(document: unknown, where: string): ItemReading[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InputError(
      `${where}: expected a JSON object with configurationItems, baseConfigurationItems or Results`,
    );
  }
  const record = document as Record<string, unknown>;
  if ('configurationItems' in record) {
    const parsed = snapshotFile.safeParse(record);
    if (!parsed.success) throw new InputError(`${where}: ${describeZodError(parsed.error, '', record)}`);
    return parsed.data.configurationItems.map((item, index) =>
      readConfigurationItem(item, `configurationItems[${index}]`),
    );
  }
  if ('baseConfigurationItems' in record) {
    const items = record.baseConfigurationItems;
    if (!Array.isArray(items)) throw new InputError(`${where}: baseConfigurationItems: expected an array`);
    return items.map((item, index) => readConfigurationItem(item, `baseConfigurationItems[${index}]`));
  }
  if ('Results' in record) {
    const rows = record.Results;
    if (!Array.isArray(rows)) throw new InputError(`${where}: Results: expected an array of JSON strings`);
    checkSelectedFields(
      record,
      rows.filter((row): row is string => typeof row === 'string'),
      where,
    );
    return rows.map((row, index): ItemReading => {
      if (typeof row !== 'string')
        return { unreadable: { problem: `Results[${index}]: expected a JSON string` } };
      return readSelectResult(row, `Results[${index}]`);
    });
  }
  throw new InputError(
    `${where}: expected a JSON object with configurationItems, baseConfigurationItems or Results`,
  );
}
