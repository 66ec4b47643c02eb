// Logs `?lines=N` lines (default 20, at most 1000) at mixed levels, then answers.
// It feeds the logs that traces carry to the tail.
const DEFAULT_LINES = 20;
const MAX_LINES = 1000;
const LEVELS = ["log", "info", "debug", "warn", "error"];

export default {
  async fetch(request) {
    const raw = new URL(request.url).searchParams.get("lines");
    const lines = raw === null ? DEFAULT_LINES : Number(raw);
    if (!Number.isInteger(lines) || lines < 0 || lines > MAX_LINES) {
      return new Response(`lines must be an integer from 0 to ${MAX_LINES}\n`, { status: 400 });
    }
    for (let i = 1; i <= lines; i++) {
      const level = LEVELS[i % LEVELS.length];
      console[level](`chatty: line ${i} of ${lines}`, { level, i });
    }
    return new Response(`chatty logged ${lines} lines\n`);
  },
};
