/**
 * The one notion of "now" for every process: the worker's activities, the gateway, the CLI and the
 * sample account all read their clock from here, so that setting FINOPS_TODAY moves all of them
 * together (a test "as if today were 40 days later", a demo of a past day). Unset, it is the real clock.
 *
 * Workflow code never reads this: an analysis carries its as-of day in its request (src/domain/request.ts).
 */
import { ConfigError, ENV } from './config';
import { dayOf } from './domain/calendar';
import { isIsoDate, toEpochDay } from './domain/period';

export type Clock = () => Date;

const DAY_MS = 86_400_000;
const OFFSET = /^[+-]\d{1,5}$/;

/**
 * The clock FINOPS_TODAY describes: a date pins the day (the time of day stays real, so timestamps
 * still move), a signed number of days shifts the real clock. Anything else is a ConfigError.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env, real: Clock = () => new Date()): Clock {
  const raw = env[ENV.today]?.trim();
  if (!raw) return real;
  if (OFFSET.test(raw)) {
    const offsetMs = Number(raw) * DAY_MS;
    return () => new Date(real().getTime() + offsetMs);
  }
  if (isIsoDate(raw)) {
    return () => {
      const now = real();
      return new Date(now.getTime() + (toEpochDay(raw) - toEpochDay(dayOf(now))) * DAY_MS);
    };
  }
  throw new ConfigError(
    `${ENV.today} must be a date YYYY-MM-DD or a signed number of days such as +40 or -40 (got ${JSON.stringify(raw)})`,
  );
}

/** Today's UTC date by `clock`. */
export function todayBy(clock: Clock): string {
  return dayOf(clock());
}
