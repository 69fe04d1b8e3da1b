/** `38%`, `2.4%`: a percentage the agent measured, with a tenth only where it says something (under 10 %). */
export function percentValue(value: number): string {
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)}%`;
}

/** `18:27` of an ISO instant (UTC). */
export function clockOf(iso: string): string {
  return iso.slice(11, 16);
}
