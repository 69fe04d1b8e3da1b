export { parseTime } from '../format/time';

/** `45 min`, `26 h`, `3.5 d`: how far apart two kills were, for evidence lines. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, ms) / 60_000;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours)} h`;
  const days = hours / 24;
  return `${days < 10 ? days.toFixed(1) : Math.round(days)} d`;
}
