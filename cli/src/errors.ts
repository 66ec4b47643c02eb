/** Failures the CLI reports as one line on stderr, with a non-zero exit code. */

/** Bad command line: exit code 2, like most CLIs. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The API said no; the message is the API's own. */
export class ApiFailure extends Error {
  override name = "ApiFailure";
  readonly status: number;
  readonly codes: number[];

  constructor(status: number, message: string, codes: number[]) {
    super(message);
    this.status = status;
    this.codes = codes;
  }
}

/** Anything else we detect ourselves (a missing file, an invalid plan record). */
export class CliError extends Error {
  override name = "CliError";
}
