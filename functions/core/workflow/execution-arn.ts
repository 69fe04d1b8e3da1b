/**
 * The ARN of a Step Functions execution, from its state machine's ARN and its name:
 * `arn:<p>:states:<r>:<a>:stateMachine:<sm>` -> `arn:<p>:states:<r>:<a>:execution:<sm>:<name>`. Executions are
 * named after their incident, so the ARN is known before (and whether or not) StartExecution answers.
 */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
