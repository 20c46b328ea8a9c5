/**
 * Cron schedules in Kubernetes CronJob syntax (five fields or a macro; no TZ= prefix), checked the
 * same way by the config layer and the planner. Pure: no I/O.
 */

const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const CRON_FIELDS: CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

function cronValue(token: string, field: CronField): number | null {
  if (/^[0-9]+$/.test(token)) {
    const n = Number(token);
    return n >= field.min && n <= field.max ? n : null;
  }
  const i = field.names?.indexOf(token.toLowerCase()) ?? -1;
  return i >= 0 ? i + field.min : null;
}

function cronFieldProblem(text: string, field: CronField): string | null {
  for (const item of text.split(",")) {
    const [range, step, ...rest] = item.split("/");
    if (rest.length > 0 || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
      return `${field.name} field "${text}" has a bad step`;
    }
    if (range === "*" || range === "?") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return `${field.name} field "${text}" has a bad range`;
    const values = bounds.map((b) => cronValue(b, field));
    if (values.some((v) => v === null)) {
      return `${field.name} field "${text}" must use values ${field.min}-${field.max}${field.names ? " or names" : ""}`;
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) {
      return `${field.name} field "${text}" has a range that runs backwards`;
    }
  }
  return null;
}

/** Why `schedule` is not a valid CronJob schedule, or null when it is. */
export function cronProblem(schedule: string): string | null {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return "time zone prefixes are not allowed: schedules are in UTC, as on Heroku";
  if (s.startsWith("@")) {
    return CRON_MACROS.includes(s) ? null : `unknown macro "${s}" (allowed: ${CRON_MACROS.join(", ")})`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) {
    return `needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  for (let i = 0; i < 5; i++) {
    const problem = cronFieldProblem(fields[i], CRON_FIELDS[i]);
    if (problem) return problem;
  }
  return null;
}
