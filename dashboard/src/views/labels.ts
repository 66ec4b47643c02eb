/**
 * Words for people in place of the stored codes (`exceededCpu` → "CPU limit exceeded").
 * Pages show these; the JSON twins and CSV keep the codes. An unknown code is shown
 * as it is: outcomes are an open set (DESIGN.md, "TraceItem").
 */
const OUTCOMES: Record<string, string> = {
  ok: "OK",
  exception: "Exception",
  exceededCpu: "CPU limit exceeded",
  exceededMemory: "Memory limit exceeded",
  scriptNotFound: "Script not found",
  canceled: "Canceled",
  responseStreamDisconnected: "Response stream disconnected",
  unknown: "Unknown",
  internalError: "Internal error",
  loadShed: "Load shed",
  killSwitch: "Kill switch",
  daemonDown: "Daemon down",
  "(mixed)": "Mixed (overflowed batch)",
};

const VIOLATIONS: Record<string, string> = {
  none: "None",
  cpu: "CPU limit",
  subrequests: "Subrequest limit",
  "(mixed)": "Mixed (overflowed batch)",
};

export const outcomeLabel = (outcome: string): string => OUTCOMES[outcome] ?? outcome;
export const violationLabel = (violation: string): string => VIOLATIONS[violation] ?? violation;
/** Status 0: the invocation produced no response (a limit or a crash before one). */
export const statusLabel = (status: number): string => (status === 0 ? "No response" : String(status));
