/**
 * What a delivery POSTs: the AlertNotification as JSON (format `json`), or a body a
 * Slack incoming webhook accepts (format `slack`: `text` as the fallback line, and
 * `blocks` with the same facts and the dashboard links).
 */
import type { AlertNotification, Webhook } from "@tenantscope/core/alerts";

const EVENT_TITLE: Record<AlertNotification["event"], string> = {
  firing: "Firing",
  still_firing: "Still firing",
  resolved: "Resolved",
  test: "Test notification",
};

const EVENT_MARK: Record<AlertNotification["event"], string> = {
  firing: ":red_circle:",
  still_firing: ":large_orange_circle:",
  resolved: ":large_green_circle:",
  test: ":information_source:",
};

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)} %`;
const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Value and threshold as people read them; their units follow the rule's condition. */
export function valueText(n: Pick<AlertNotification, "value" | "threshold" | "rule">): string {
  switch (n.rule.condition) {
    case "error_rate":
    case "limit_rate":
      return `${percent(n.value)} (threshold ${percent(n.threshold)})`;
    case "cpu_p95":
      return `p95 ${n.value.toFixed(1)} ms CPU (threshold ${n.threshold.toFixed(1)} ms)`;
    case "quota":
      return `${count(n.value)} used of ${count(n.threshold)}`;
    case "change":
      // The window's count against factor × the baseline's.
      return `${count(n.value)} in the window (threshold ${count(n.threshold)})`;
  }
}

/** One line: what happened, to which tenant, under which rule. */
export function summaryLine(n: AlertNotification): string {
  if (n.event === "test") return `${EVENT_TITLE.test} from tenantscope: this webhook receives alerts`;
  return `${EVENT_TITLE[n.event]}: ${n.rule.name} for tenant ${n.tenant}: ${valueText(n)}`;
}

/** Slack's mrkdwn treats &, < and > as markup. */
function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function slackBody(n: AlertNotification): Record<string, unknown> {
  const facts = n.event === "test" ? [`Sent at ${n.at}.`] : [
    `*Tenant:* \`${slackEscape(n.tenant)}\``,
    `*Value:* ${slackEscape(valueText(n))}`,
    `*Window:* ${n.window.from} to ${n.window.to}`,
    ...(n.since === null ? [] : [`*Firing since:* ${n.since}`]),
    ...(n.forecast === undefined ? [] : [`*Forecast to the period's end:* ${count(n.forecast)}`]),
    ...(n.stoppedUntil === undefined ? [] : [`*Stopped until:* ${n.stoppedUntil}`]),
  ];
  const links = [n.links.tenant === "" ? null : `<${n.links.tenant}|Tenant page>`, n.links.alerts === "" ? null : `<${n.links.alerts}|Alerts>`].filter((l) => l !== null);
  return {
    text: `${EVENT_MARK[n.event]} ${slackEscape(summaryLine(n))}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${EVENT_MARK[n.event]} *${EVENT_TITLE[n.event]}:* ${slackEscape(n.rule.name)}` } },
      { type: "section", text: { type: "mrkdwn", text: facts.join("\n") } },
      ...(links.length === 0 ? [] : [{ type: "context", elements: [{ type: "mrkdwn", text: links.join(" · ") }] }]),
    ],
  };
}

/** The exact text sent (and signed). */
export function renderBody(format: Webhook["format"], n: AlertNotification): string {
  return JSON.stringify(format === "slack" ? slackBody(n) : n);
}
