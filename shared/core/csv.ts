/** Splits a comma-separated rule parameter, trimming spaces and dropping empty entries. */
export function splitCsv(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
