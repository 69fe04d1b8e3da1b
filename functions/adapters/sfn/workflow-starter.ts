import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowInput } from '../../core/detect/ports';
import { executionArnFor } from '../../core/workflow/execution-arn';

export { executionArnFor };

export interface StepFunctionsWorkflowStarterProps {
  client: SFNClient;
  stateMachineArn: string;
}

/**
 * Starts one Standard execution per incident, named after the incident id. Names are unique for 90 days, so a
 * second start of the same incident (a retried batch) fails with ExecutionAlreadyExists: that means started.
 * `Input` is the state machine's input: a kill's `WorkflowInput` by default, the pressure workflow's for it.
 */
export class StepFunctionsWorkflowStarter<Input extends object = WorkflowInput> {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(props: StepFunctionsWorkflowStarterProps) {
    this.client = props.client;
    this.stateMachineArn = props.stateMachineArn;
  }

  async start(name: string, input: Input): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    try {
      const result = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return {
        executionArn: result.executionArn ?? executionArnFor(this.stateMachineArn, name),
        alreadyStarted: false,
      };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        return { executionArn: executionArnFor(this.stateMachineArn, name), alreadyStarted: true };
      }
      throw error;
    }
  }
}
