/** Table names are interpolated into SQL (they cannot be parameters), so only plain identifiers pass. */
export function checkTableName(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(table)) {
    throw new TypeError(
      `Invalid table name ${JSON.stringify(table)}: use letters, digits, _ and one optional "schema."`,
    );
  }
  return table;
}

export const DEFAULT_TABLE = 'hookline_idempotency';
