import type { OomResponderStackProps } from '../../lib/oom-responder-stack';

/** The Slack secret, by name, of the deployment with every option on. */
export const SECRET_NAME = 'oom-responder/slack-webhook';
export const EVERYTHING: OomResponderStackProps = {
  kernelLogGroupNames: ['/existing/kernel'],
  responder: {
    slackWebhookSecret: SECRET_NAME,
    accountSubscriptionPolicy: true,
    applyAgentConfiguration: true,
    qDeveloperNotifications: true,
    earlyWarning: { memAvailablePercent: 15, swapUsedPercent: 40 },
    remediationPolicy: {
      addSwap: { enabled: true },
      restartService: { enabled: true, allowedUnits: ['app.service'] },
    },
  },
};
/** The deployments whose service edges the IAM tests evaluate: the default one, and one with every option on. */
export const CONFIGURATIONS: [string, OomResponderStackProps][] = [
  ['as deployed by default', {}],
  ['with every option on', EVERYTHING],
];
