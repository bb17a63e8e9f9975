/**
 * Light stubs for the scale runs: each client class's `send` answers from a handler after a fixed latency and
 * counts the command. Unlike aws-sdk-client-mock (sinon), nothing keeps the calls' arguments, which at 3,000
 * calls of 100 evaluations each would dominate the very memory figure being measured.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';

type Answer = (input: never) => unknown;

export interface StubbedCalls {
  counts: Record<string, number>;
}

/** Replaces `send` of the Config, S3 Control and STS clients; `answers` are keyed by command name. */
export function stubClients(answers: Record<string, Answer>, latencyMs: number): StubbedCalls {
  const calls: StubbedCalls = { counts: {} };
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    calls.counts[name] = (calls.counts[name] ?? 0) + 1;
    const answer = answers[name];
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (answer === undefined) throw new Error(`no stubbed answer for ${name}`);
    return answer(command.input as never);
  };
  for (const client of [ConfigServiceClient, S3ControlClient, STSClient]) {
    Object.defineProperty(client.prototype, 'send', { value: send, configurable: true, writable: true });
  }
  return calls;
}
