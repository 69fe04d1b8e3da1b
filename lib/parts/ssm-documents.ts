import { Stack } from 'aws-cdk-lib';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  addSwapDocument,
  collectDiagnosticsDocument,
  restartServiceDocument,
  type SsmCommandDocument,
} from '../ssm/documents';

export interface DocumentRef {
  readonly name: string;
  readonly arn: string;
}

/**
 * The pipeline's three SSM Command documents, their scripts inlined from `lib/ssm/scripts/*.sh` at synth. The
 * remediation documents exist only when the policy enables them: no document, no way to run it.
 */
export class SsmDocuments extends Construct {
  readonly collectDiagnostics: DocumentRef;
  readonly addSwap: DocumentRef | undefined;
  readonly restartService: DocumentRef | undefined;

  constructor(scope: Construct, id: string, props: { addSwap: boolean; restartService: boolean }) {
    super(scope, id);
    this.collectDiagnostics = this.document('CollectDiagnostics', collectDiagnosticsDocument());
    this.addSwap = props.addSwap ? this.document('AddSwap', addSwapDocument()) : undefined;
    this.restartService = props.restartService
      ? this.document('RestartService', restartServiceDocument())
      : undefined;
  }

  private document(id: string, content: SsmCommandDocument): DocumentRef {
    // The stack name was checked by resolveProps (no reserved aws/amazon/amzn prefix, at most 128 characters).
    const name = `${Stack.of(this).stackName}-${id}`;
    new CfnDocument(this, id, {
      documentType: 'Command',
      // Run Command may send them to EC2 instances only (the pipeline never targets managed on-premises nodes).
      targetType: '/AWS::EC2::Instance',
      documentFormat: 'JSON',
      name,
      content,
      updateMethod: 'NewVersion',
    });
    return {
      name,
      arn: Stack.of(this).formatArn({ service: 'ssm', resource: 'document', resourceName: name }),
    };
  }
}
