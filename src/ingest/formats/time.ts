// Local times without a zone (HAProxy's accept date, syslog prefixes, W3C `date-local`, a zone-less
// strftime format): read in the input's --timezone (an IANA name or ±HH:MM), else as UTC, and a
// coverage note says which.
import { UserError } from '../../errors.js';
import { sqlUserText } from './format.js';

const OFFSET_RE = /^([+-])([01][0-9]|2[0-3]):?([0-5][0-9])$/;

/** Checks a --timezone value; throws a usage error naming it when it is neither ±HH:MM nor an IANA zone. */
export function checkTimezone(zone: string): void {
  if (OFFSET_RE.test(zone) || /^(UTC|Z)$/i.test(zone)) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new UserError('usage', `unknown time zone "${zone}": use an IANA name (Europe/Paris) or an offset (+02:00)`);
  }
}

/** SQL: the naive local TIMESTAMP `expr` as UTC. */
export function localToUtc(expr: string, zone: string | undefined): string {
  if (!zone || /^(UTC|Z)$/i.test(zone)) return expr;
  checkTimezone(zone);
  const offset = OFFSET_RE.exec(zone);
  if (offset) {
    const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === '-' ? -1 : 1);
    return `((${expr}) - to_minutes(${minutes}))`;
  }
  return `timezone(${sqlUserText(zone)}, ${expr})::TIMESTAMP`;
}

/** The coverage note for a format whose times carry no zone. */
export function zoneNote(what: string, zone: string | undefined): string {
  return zone ? `${what} have no time zone: read as ${zone}` : `${what} have no time zone: read as UTC (set --timezone or the input's timezone)`;
}
