import { deepStrictEqual, fail } from 'node:assert/strict';
import { DomainError, type DomainErrorCode, InvalidCommandError, LifecycleError } from '@lead-lifecycle/domain';

/**
 * Given/when/then for deciders: given these past events, when this command, then these new events
 * (or this error). Framework-agnostic (throws node:assert errors): a test double kept in test/support, not
 * shipped with the domain; it works with any test runner.
 *
 *   const lead = deciderSpec({ decide: decideLead, evolve: evolveLead, initialState: initialLeadState, config });
 *   lead.given([captured]).when(engage).then([recorded, scoreChanged]);
 *   lead.given([]).when(promote).thenThrows({ code: DomainErrorCode.LeadNotFound });
 *
 * Events are compared as they would be stored (a JSON round trip), so a field that is `undefined`
 * is the same as a field that is absent.
 */
export interface DeciderSpecOptions<Command, Event, State, Config> {
  readonly decide: (command: Command, state: State, config: Config) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
  readonly config: Config;
}

export interface ErrorMatcher {
  /** The error class, e.g. LifecycleError or InvalidCommandError; DomainError matches every domain error. */
  readonly type?: abstract new (...args: never[]) => Error;
  readonly code?: DomainErrorCode;
  /** LifecycleError only. */
  readonly currentStage?: string;
  /** LifecycleError only. */
  readonly attemptedMove?: string;
  /** InvalidCommandError only: exactly these fields have problems, in this order. */
  readonly fields?: readonly string[];
  readonly message?: string | RegExp;
  /** Each of these must equal the error's `details` entry of the same key. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Outcome<Event, State> {
  /** The events decided by the command. */
  readonly events: readonly Event[];
  /** The state after the given events and the decided ones. */
  readonly state: State;
}

export interface When<Event, State> {
  /** The command decides exactly these events (`[]` for "nothing happens"). */
  then(expected: readonly Event[]): Outcome<Event, State>;
  /** The command is refused with an error matching all the given properties. */
  thenThrows(matcher?: ErrorMatcher): Error;
  /** The command succeeds; `check` inspects the state after the given and decided events. */
  thenState(check: (state: State, events: readonly Event[]) => void): Outcome<Event, State>;
}

export interface Given<Command, Event, State> {
  readonly state: State;
  when(command: Command): When<Event, State>;
}

export interface DeciderSpec<Command, Event, State> {
  given(events?: readonly Event[]): Given<Command, Event, State>;
}

const stored = <T>(value: T): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export function deciderSpec<Command, Event, State, Config>(
  options: DeciderSpecOptions<Command, Event, State, Config>,
): DeciderSpec<Command, Event, State> {
  const { decide, evolve, initialState, config } = options;
  const fold = (from: State, events: readonly Event[]) => events.reduce(evolve, from);

  return {
    given(history: readonly Event[] = []) {
      const state = fold(initialState, history);
      return {
        state,
        when(command: Command): When<Event, State> {
          let decided: readonly Event[] | undefined;
          let error: unknown;
          try {
            decided = decide(command, state, config);
          } catch (e) {
            error = e;
          }
          const succeeded = (): Outcome<Event, State> => {
            if (decided === undefined) {
              const e = error as Error;
              fail(`expected the command to succeed, but it threw ${e?.name ?? 'an error'}: ${e?.message ?? String(error)}`);
            }
            return { events: decided, state: fold(state, decided) };
          };
          return {
            then(expected) {
              const outcome = succeeded();
              deepStrictEqual(stored(outcome.events), stored(expected), 'decided events differ');
              return outcome;
            },
            thenState(check) {
              const outcome = succeeded();
              check(outcome.state, outcome.events);
              return outcome;
            },
            thenThrows(matcher = {}) {
              if (decided !== undefined) {
                fail(`expected the command to be refused, but it decided ${JSON.stringify(decided)}`);
              }
              if (!(error instanceof Error)) fail(`expected an Error to be thrown, got ${String(error)}`);
              const { type, code, currentStage, attemptedMove, fields, message, details } = matcher;
              const thrown: Error = error;
              if (type && !(thrown instanceof type)) fail(`expected ${type.name}, got ${error.name}: ${error.message}`);
              const domain = error instanceof DomainError ? error : undefined;
              if (code !== undefined) deepStrictEqual(domain?.code, code, `error code (${error.name}: ${error.message})`);
              if (currentStage !== undefined || attemptedMove !== undefined) {
                if (!(error instanceof LifecycleError)) fail(`expected a LifecycleError, got ${error.name}: ${error.message}`);
                if (currentStage !== undefined) deepStrictEqual(error.currentStage, currentStage, 'currentStage');
                if (attemptedMove !== undefined) deepStrictEqual(error.attemptedMove, attemptedMove, 'attemptedMove');
              }
              if (fields !== undefined) {
                if (!(error instanceof InvalidCommandError)) fail(`expected an InvalidCommandError, got ${error.name}: ${error.message}`);
                deepStrictEqual(
                  error.problems.map((p) => p.field),
                  [...fields],
                  `fields with problems (${error.message})`,
                );
              }
              if (typeof message === 'string' && !error.message.includes(message)) {
                fail(`expected the message to contain ${JSON.stringify(message)}, got ${JSON.stringify(error.message)}`);
              }
              if (message instanceof RegExp && !message.test(error.message)) {
                fail(`expected the message to match ${message}, got ${JSON.stringify(error.message)}`);
              }
              for (const [key, value] of Object.entries(details ?? {})) {
                deepStrictEqual(stored(domain?.details[key]), stored(value), `details.${key}`);
              }
              return error;
            },
          };
        },
      };
    },
  };
}
