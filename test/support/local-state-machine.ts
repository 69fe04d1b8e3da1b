/**
 * The synthesized state machine run by aws-local-stepfunctions (an ASL interpreter), with the AWS calls and
 * Lambdas answered by local handlers. It needs Node.js 22+: CI runs test/lib/workflow a second time under Node 24
 * (.ci/run); under Node 20 the suites skip, saying so with `localStepFunctionsSkip`.
 */
const major = Number(process.versions.node.split('.')[0]);

/** Whether aws-local-stepfunctions can run on this Node.js. */
export const localStepFunctionsRuns = major >= 22;

/** What a suite's title says when it is skipped here: empty where it runs. */
export const localStepFunctionsSkip = localStepFunctionsRuns
  ? ''
  : ` (skipped: aws-local-stepfunctions needs Node.js 22+, this is ${process.versions.node})`;

export type TaskHandler = (input: Record<string, unknown>) => Promise<unknown>;

/** The part of aws-local-stepfunctions' `StateMachine` the tests use. */
export interface LocalStateMachine {
  run(
    input: unknown,
    options: {
      overrides: {
        taskResourceLocalHandlers: Record<string, TaskHandler>;
        waitTimeOverrides: Record<string, number>;
        retryIntervalOverrides: Record<string, number>;
      };
      context: Record<string, unknown>;
    },
  ): { result: Promise<Record<string, unknown>> };
}

/** An interpreter of `definition` (ASL, as synthesized), ARNs unchecked: the template's are tokens resolved here. */
export async function localStateMachine(definition: unknown): Promise<LocalStateMachine> {
  // Loaded only where it runs: the module itself needs Node.js 22+.
  const { StateMachine } = (await import('aws-local-stepfunctions')) as unknown as {
    StateMachine: new (definition: unknown, options: unknown) => LocalStateMachine;
  };
  return new StateMachine(definition, { validationOptions: { checkArn: false } });
}
