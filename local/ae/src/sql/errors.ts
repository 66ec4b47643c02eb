/** A query the local AE refuses; the SQL endpoint answers it as a 4xx with this text. */
export class SqlError extends Error {
  override readonly name = "SqlError";
  readonly status: 400 | 422;

  constructor(message: string, status: 400 | 422 = 400) {
    super(message);
    this.status = status;
  }
}
