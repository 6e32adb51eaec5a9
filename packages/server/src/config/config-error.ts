/** Errors of the server configuration (Server.xml and StreamMap files). */

/** A configuration file is unreadable, malformed or holds a wrong value; start-up stops. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** What is wrong, without the location. */
    readonly detail: string,
    /** The file, when known. */
    readonly file: string | undefined,
    /** Path of the element, e.g. `Server.Bind.Managers.API.Port`. */
    readonly element: string | undefined,
    /** 1-based line of the element in the file, when known. */
    readonly line: number | undefined,
  ) {
    super(ConfigError.describe(detail, file, element, line));
  }

  private static describe(
    detail: string,
    file: string | undefined,
    element: string | undefined,
    line: number | undefined,
  ): string {
    const where = [file, line !== undefined ? `line ${line}` : undefined].filter((x) => x !== undefined).join(':');
    const what = element !== undefined ? `<${element}>: ` : '';
    return `${where ? `${where}: ` : ''}${what}${detail}`;
  }
}
