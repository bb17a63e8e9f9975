/**
 * The IAM credential report: CSV text (RFC 4180), one row per IAM user and one for the root user
 * (`<root_account>`). IAM User Guide, "Getting credential reports for your AWS account" → "Credential report
 * format" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html): the columns
 * `user`, `arn`, `user_creation_time`, `password_enabled`, …, `mfa_active`, …; the root user's
 * `password_enabled` is `not_supported`; a value that does not apply is `N/A`. IAM user names may hold
 * commas (`+=,.@_-`), so quoted fields are read as RFC 4180 says.
 */
import { type CredentialReport, type CredentialReportRow, InputError } from './model.ts';

/** IAM allows 5,000 users an account; a report this big is not a credential report. */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;
export const ROOT_USER = '<root_account>';

const REQUIRED_COLUMNS = ['user', 'arn', 'password_enabled', 'mfa_active'] as const;

/** Splits CSV text into records of fields: quoted fields may hold commas, line breaks and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else field += char;
      index++;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (char === '\r' && text[index + 1] === '\n') index++;
    } else field += char;
    index++;
  }
  if (quoted) throw new InputError('credential report: a quoted field is not closed');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Reads a credential report's CSV into the rows the rules use; throws an InputError naming the problem. */
export function parseCredentialReport(csv: string, generatedAt: string): CredentialReport {
  if (csv.length > MAX_REPORT_BYTES) {
    throw new InputError(
      `credential report: ${csv.length} characters, more than the ${MAX_REPORT_BYTES} read`,
    );
  }
  const [header, ...records] = parseCsv(csv);
  if (header === undefined) throw new InputError('credential report: empty');
  const columns = Object.fromEntries(REQUIRED_COLUMNS.map((name) => [name, header.indexOf(name)])) as Record<
    (typeof REQUIRED_COLUMNS)[number],
    number
  >;
  const missing = REQUIRED_COLUMNS.filter((name) => columns[name] < 0);
  if (missing.length > 0) {
    throw new InputError(`credential report: the header has no ${missing.join(', ')} column`);
  }
  const rows: CredentialReportRow[] = [];
  for (const [index, record] of records.entries()) {
    if (record.length === 1 && record[0] === '') continue;
    if (record.length !== header.length) {
      throw new InputError(
        `credential report: line ${index + 2} has ${record.length} fields, the header ${header.length}`,
      );
    }
    rows.push({
      user: record[columns.user] as string,
      arn: record[columns.arn] as string,
      passwordEnabled: record[columns.password_enabled] as string,
      mfaActive: record[columns.mfa_active] as string,
    });
  }
  return { generatedAt, rows };
}

/** The report's row for an IAM user, by exact ARN (never by name: a name can be reused after a deletion). */
export function rowForArn(report: CredentialReport, arn: string): CredentialReportRow | undefined {
  return report.rows.find((row) => row.arn === arn && row.user !== ROOT_USER);
}
