/**
 * Who changed a resource: one CloudTrail `LookupEvents` call by resource name, over a bounded window ending
 * just after the evaluation's ordering time, and the most relevant write event in what comes back.
 *
 * Shapes: AWS CloudTrail API Reference, "LookupEvents" (at most 50 events a call, most recent first; one
 * lookup attribute) and "Event" (`CloudTrailEvent` is the record as a JSON string; `ReadOnly` "true"/"false").
 */
import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { type Actor, actorOf, type CloudTrailDetail, cloudTrailDetailSchema } from '../core/cloudtrail.ts';

export interface ActorLookupRequest {
  /** CloudTrail's resource name for the resource: its id (`sg-…`, the bucket name). */
  resourceId: string;
  resourceType: string;
  /** The evaluation's ordering time: the change happened before it. */
  at: Date;
  windowMinutes: number;
}

export type ActorLookup =
  | { status: 'found'; actor: Actor; eventId?: string | undefined; eventSource: string }
  | { status: 'not-found'; note: string }
  | { status: 'failed'; note: string };

/** How far past the ordering time the window reaches: CloudTrail and Config clocks are not one clock. */
export const LOOKUP_SLACK_MS = 2 * 60_000;
/** LookupEvents' maximum page: the one call sees as many candidates as it can. */
export const LOOKUP_MAX_RESULTS = 50;

export function lookupWindow(at: Date, windowMinutes: number): { start: Date; end: Date } {
  return {
    start: new Date(at.getTime() - windowMinutes * 60_000),
    end: new Date(at.getTime() + LOOKUP_SLACK_MS),
  };
}

/**
 * Looks up who last changed the resource before `at`. Never throws: the notice matters more than the actor,
 * so a failed lookup comes back as `failed` with a note saying why.
 */
export async function lookUpActor(
  cloudtrail: CloudTrailClient,
  request: ActorLookupRequest,
): Promise<ActorLookup> {
  const { start, end } = lookupWindow(request.at, request.windowMinutes);
  let events: Event[];
  try {
    const response = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: request.resourceId }],
        StartTime: start,
        EndTime: end,
        MaxResults: LOOKUP_MAX_RESULTS,
      }),
    );
    events = response.Events ?? [];
  } catch (error) {
    return { status: 'failed', note: `CloudTrail lookup failed: ${describeError(error)}` };
  }
  const best = mostRelevantChange(events, request);
  if (!best) {
    return {
      status: 'not-found',
      note: `no CloudTrail write event for ${request.resourceId} from ${start.toISOString()} to ${end.toISOString()}`,
    };
  }
  return {
    status: 'found',
    actor: actorOf(best.detail),
    eventId: best.detail.eventID,
    eventSource: best.detail.eventSource,
  };
}

interface Candidate {
  detail: CloudTrailDetail;
  time: number;
  sameService: boolean;
  beforeEvaluation: boolean;
}

/**
 * The write that most likely made the change: successful calls only (a failed call changed nothing), read
 * calls never; then preferring the resource's own service (`ec2.amazonaws.com` for `AWS::EC2::…`), calls at
 * or before the ordering time, and the latest of those.
 */
export function mostRelevantChange(
  events: readonly Event[],
  request: Pick<ActorLookupRequest, 'resourceType' | 'at'>,
): Candidate | undefined {
  const service = serviceEventSource(request.resourceType);
  const candidates = events.flatMap((event): Candidate[] => {
    if (event.ReadOnly === 'true') return [];
    const detail = parseRecord(event.CloudTrailEvent);
    if (!detail || detail.errorCode || detail.readOnly === true) return [];
    const time = Date.parse(detail.eventTime);
    if (Number.isNaN(time)) return [];
    return [
      {
        detail,
        time,
        sameService: detail.eventSource === service,
        beforeEvaluation: time <= request.at.getTime(),
      },
    ];
  });
  candidates.sort(
    (a, b) =>
      Number(b.sameService) - Number(a.sameService) ||
      Number(b.beforeEvaluation) - Number(a.beforeEvaluation) ||
      b.time - a.time,
  );
  return candidates[0];
}

/** `AWS::EC2::SecurityGroup` → `ec2.amazonaws.com`. */
export function serviceEventSource(resourceType: string): string | undefined {
  const service = resourceType.split('::')[1];
  return service ? `${service.toLowerCase()}.amazonaws.com` : undefined;
}

function parseRecord(text: string | undefined): CloudTrailDetail | undefined {
  if (!text) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = cloudTrailDetailSchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
