import { MASK, type Rule } from './patterns';

/**
 * Chat webhook URLs whose path is the credential: whoever has the URL can post to the channel. The host and the
 * fixed part of the path stay, so a reader still sees which service a process was talking to. Each pattern starts
 * with a literal and ends with one run of URL characters, so it is linear on any input. Webhooks that carry their
 * secret in the query (Teams workflows' and Logic Apps' `sig=`, Google Chat's `key=`/`token=`) are covered by the
 * secret names in `secret-names.ts`.
 */
const URL_CHARS = '[^\\s?#"\'<>]*';

function webhook(name: string, fixedPart: string): Rule {
  return {
    name,
    pattern: new RegExp(`(${fixedPart})${URL_CHARS}`, 'gi'),
    replace: (_match, prefix) => `${prefix}${MASK}`,
  };
}

export const WEBHOOK_RULES: readonly Rule[] = [
  webhook(
    'Slack webhook url',
    'https?:\\/\\/hooks\\.slack(?:-gov)?\\.com\\/(?:services|workflows|triggers)\\/',
  ),
  webhook('Discord webhook url', 'discord(?:app)?\\.com\\/api(?:\\/v\\d{1,2})?\\/webhooks\\/'),
  webhook('Telegram bot url', 'api\\.telegram\\.org\\/(?:file\\/)?bot'),
  webhook('Microsoft Teams webhook url', '\\.webhook\\.office\\.com\\/webhookb2\\/'),
  webhook('Office 365 connector url', 'outlook\\.office(?:365)?\\.com\\/webhook\\/'),
  // Mattermost's `/hooks/<26 characters>`, Rocket.Chat's `/hooks/<id>/<token>`; a git hooks directory
  // (`hooks/pre-receive`) has no 20-character run of letters and digits after it.
  {
    name: 'Mattermost or Rocket.Chat webhook url',
    pattern: /(:\/\/[^\s/]{1,253}\/hooks\/)[A-Za-z0-9]{20,}(?:\/[A-Za-z0-9]{20,})?(?![A-Za-z0-9])/g,
    replace: (_match, prefix) => `${prefix}${MASK}`,
  },
];
