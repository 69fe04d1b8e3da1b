/** EC2 sizes in order; each step up doubles memory within a family (nano..medium are the burstable small end). */
const SIZES = [
  'nano',
  'micro',
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
  '24xlarge',
];

/** `t3.large` -> `t3.xlarge`; null for a type or size this list does not know (metal, 48xlarge...). */
export function nextInstanceSize(instanceType: string): string | null {
  const dot = instanceType.indexOf('.');
  if (dot <= 0) return null;
  const index = SIZES.indexOf(instanceType.slice(dot + 1));
  // 8xlarge -> 12xlarge is not a doubling and not every family has it: stop before it.
  if (index < 0 || index >= SIZES.indexOf('8xlarge')) return null;
  return `${instanceType.slice(0, dot)}.${SIZES[index + 1]}`;
}
