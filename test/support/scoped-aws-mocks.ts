/**
 * AWS client mocks that belong to one run (a test, a bench scenario) instead of to the whole process.
 *
 * aws-sdk-client-mock's `mockClient(Class)` stubs `send` on the prototype every instance shares, so work that
 * outlives its test (vitest abandons a timed-out test, it does not stop it) is answered by, and counted in,
 * the next test's stubs. Here each client class's `send` is routed, once per process, to the stubs of the run
 * whose asynchronous context made the call (AsyncLocalStorage follows promises, timers and awaits): every run
 * gets fresh stubs, and a late call lands in its own run's stubs, never in another run's. A call made outside
 * any run is rejected, naming the client and the command.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@smithy/types';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';

// biome-ignore lint/suspicious/noExplicitAny: a stub of any client; callers narrow each one by class
export type AnyStub = AwsStub<any, any, any>;

// biome-ignore lint/suspicious/noExplicitAny: a client of any service
type AnyClient = Client<any, any, any>;

/** The AWS SDK v3 client classes a set of mocks covers (`send` is the only method routed). */
export type ClientClass = new (config: Record<string, never>) => AnyClient;

type Stubs = ReadonlyMap<ClientClass, AnyStub>;

/**
 * One storage per process, kept on globalThis so that a second evaluation of this module (vitest without
 * isolation re-evaluates test modules, not the SDK) still routes through the same context.
 */
const STORAGE_KEY = Symbol.for('plumbline.test.scoped-aws-mocks');
const globals = globalThis as { [STORAGE_KEY]?: AsyncLocalStorage<Stubs> };
globals[STORAGE_KEY] ??= new AsyncLocalStorage<Stubs>();
const storage = globals[STORAGE_KEY];

const routed = new WeakMap<object, unknown>();
const stubsOf = new WeakMap<object, Stubs>();

function commandName(command: unknown): string {
  return (command as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'a command';
}

/** Replaces the class's `send` by one that forwards to the current run's stub for that class. */
function route(clientClass: ClientClass): void {
  const prototype = clientClass.prototype as { send: unknown };
  if (routed.get(prototype) === prototype.send) return;
  function send(this: unknown, ...args: unknown[]): Promise<unknown> {
    const stub = storage.getStore()?.get(clientClass);
    if (stub === undefined) {
      return Promise.reject(
        new Error(
          `${clientClass.name}: ${commandName(args[0])} sent outside any mock scope (work that outlived its test?)`,
        ),
      );
    }
    return stub.send.apply(this, args as Parameters<AnyStub['send']>);
  }
  prototype.send = send;
  routed.set(prototype, send);
}

/** Fresh stubs for each named client class: they answer only calls made inside `runInScope` with them. */
export function createScopedMocks<Key extends string>(
  classes: Readonly<Record<Key, ClientClass>>,
): Record<Key, AnyStub> {
  const mocks = {} as Record<Key, AnyStub>;
  for (const [key, clientClass] of Object.entries(classes) as [Key, ClientClass][]) {
    route(clientClass);
    // A stub on a private instance: it sees only what the router hands it.
    mocks[key] = mockClient(new clientClass({}));
  }
  stubsOf.set(mocks, new Map(Object.keys(classes).map((key) => [classes[key as Key], mocks[key as Key]])));
  return mocks;
}

/**
 * Runs `work` so that every AWS call it makes, however late, reaches `mocks` (from `createScopedMocks`) and
 * no other run's mocks.
 */
export function runInScope<Result>(mocks: object, work: () => Promise<Result>): Promise<Result> {
  const stubs = stubsOf.get(mocks);
  if (stubs === undefined) throw new Error('runInScope: mocks not made by createScopedMocks');
  return storage.run(stubs, work);
}
