/** "40 seconds", "about 5 minutes", "about 3 hours": a duration as on-call says it (whole units, rounded). */
export function durationWords(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `about ${minutes} minutes`;
  return `about ${Math.round(minutes / 60)} hours`;
}
