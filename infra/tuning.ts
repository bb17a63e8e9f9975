/**
 * Every number that sizes a function, in one place, so that the benchmarks (bench/) can tune them.
 *
 * Lambda allocates CPU in proportion to memory (1,769 MB = one vCPU). Until the benchmarks report, the sizes
 * follow the work each function does:
 * - Config-rule functions parse and evaluate up to 100 configuration items per inventory page (an
 *   oversized item is up to ~1 MB of JSON) and keep up to `maxInFlight` PutEvaluations batches open: CPU- and
 *   memory-bound during a periodic scan, so 512 MB (~0.3 vCPU) with a 10-minute timeout that a scan of
 *   tens of thousands of resources fits in (Config allows 15).
 * - Responders read one resource and make a handful of API calls: network-bound, so 256 MB is plenty and a
 *   3-minute timeout covers the SDK's adaptive retries on every call of the longest chain.
 * - The notifier waits on CloudTrail LookupEvents (2 requests per second per account and region), so it gets
 *   a longer timeout for throttled retries.
 */
import { Duration } from 'aws-cdk-lib';

export interface FunctionTuning {
  memoryMb: number;
  timeout: Duration;
  /** Lambda's own retries of a failed asynchronous invocation (0–2) before the event goes to the DLQ. */
  asyncRetries: number;
  /** How long an asynchronous event may wait (throttled, retrying) before it goes to the DLQ. */
  asyncMaxEventAge: Duration;
}

export const CONFIG_RULE_TUNING: FunctionTuning = {
  memoryMb: 512,
  timeout: Duration.minutes(10),
  asyncRetries: 2,
  // A periodic evaluation is still worth writing hours later; the next scheduled run supersedes it anyway.
  asyncMaxEventAge: Duration.hours(6),
};

export const RESPONDER_TUNING: FunctionTuning = {
  memoryMb: 256,
  // Up to 8 sequential calls, each with the SDK's worst throttled backoff (1+2+4+8 s): 120 s before any call time.
  timeout: Duration.minutes(3),
  asyncRetries: 2,
  // Remediation re-reads the current state before acting, so a late event is safe; after an hour it is news
  // for a person (the dead-letter alarm), not for a robot.
  asyncMaxEventAge: Duration.hours(1),
};

export const NOTIFIER_TUNING: FunctionTuning = {
  memoryMb: 256,
  timeout: Duration.seconds(120),
  asyncRetries: 2,
  asyncMaxEventAge: Duration.hours(6),
};

/** EventBridge's delivery of a matched event to the function (a failed delivery, not a failed run). */
export const EVENT_DELIVERY = {
  retryAttempts: 24,
  maxEventAge: Duration.hours(2),
};

/** Dead-letter queues keep failed events for the SQS maximum, so that nobody loses one over a long weekend. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Alarms: one failed invocation or one dead letter is worth a notification. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * StackSet roll-out: regions in parallel, a quarter of the accounts at a time, and stop when more than a
 * tenth fail (a broken template should not reach the whole organisation).
 */
export const STACKSET_OPERATION = {
  regionConcurrencyType: 'PARALLEL',
  maxConcurrentPercentage: 25,
  failureTolerancePercentage: 10,
} as const;
