/**
 * Structured logs. The gateway emits records, never preformatted lines:
 *   { "level": "info", "msg": "request", "method": "GET", "path": "/readyz", "status": 200, "ms": 3 }
 * `main.ts` writes them as one JSON object per line (FINOPS_LOG_FORMAT=json, the default) or as readable
 * text (FINOPS_LOG_FORMAT=text, used by the dev stack). Records never carry credentials or report contents.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type Logger = (record: LogRecord) => void;

export const silentLogger: Logger = () => {};

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Drops records below `min`. */
export function filtered(logger: Logger, min: LogLevel): Logger {
  return (record) => {
    if (ORDER[record.level] >= ORDER[min]) logger(record);
  };
}

/** One JSON object per line, with an ISO timestamp first. */
export function jsonLogger(write: (line: string) => void): Logger {
  return (record) => {
    const { level, msg, ...fields } = record;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, jsonSafe));
  };
}

/** `2026-11-21T09:30:00.000Z INFO request method=GET path=/readyz status=200 ms=3` */
export function textLogger(write: (line: string) => void): Logger {
  return (record) => {
    const { level, msg, ...fields } = record;
    const rest = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v, jsonSafe)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${rest ? ` ${rest}` : ''}`);
  };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Maps the project's FINOPS_LOG_LEVEL names (TRACE..ERROR) onto these levels. */
export function levelFromConfig(level: string): LogLevel {
  switch (level.toUpperCase()) {
    case 'TRACE':
    case 'DEBUG':
      return 'debug';
    case 'WARN':
      return 'warn';
    case 'ERROR':
      return 'error';
    default:
      return 'info';
  }
}
