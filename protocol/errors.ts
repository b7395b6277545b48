/** Base of every error twinbed raises on purpose: a stable `code` for programs, a message that says what to do next. */
export class TwinbedError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A payload that is not a valid twinbed message; `field` is the dotted path of the first wrong field. */
export class DecodeError extends TwinbedError {
  readonly field: string;

  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super('E_DECODE', field ? `${field}: ${reason}` : reason, options);
    this.field = field;
  }
}

/** A config or scenario file that does not validate; the message names file, line and field. */
export class ConfigError extends TwinbedError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super('E_CONFIG', issues.map((i) => formatIssue(file, i)).join('\n'));
    this.file = file;
    this.issues = issues;
  }
}

export interface ConfigIssue {
  /** 1-based line in the file, when the field could be located. */
  line?: number;
  /** Dotted path such as `twins[0].speedRpm`; empty for the whole document. */
  path: string;
  message: string;
}

function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}
