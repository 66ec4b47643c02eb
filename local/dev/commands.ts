/**
 * The commands a developer runs against this stack, written for its ports: the dev
 * banner prints them, and the dashboard's empty state shows the demo one (var
 * DEMO_COMMAND, dashboard/LOCAL-WIRING.md). Default ports need no flags.
 */
import { PORT_FLAGS } from "./ports.ts";

const LOCAL_TOKEN = "local";

/** `pnpm demo`, pointed at the dispatcher when it is not on its default port. */
export function demoCommand(dispatcherPort: number): string {
  return dispatcherPort === PORT_FLAGS.dispatcher.defaultPort ? "pnpm demo" : `pnpm demo -- --url http://127.0.0.1:${dispatcherPort}`;
}

/** `pnpm tenantscope <args>`, with the API's URL and token when they are not the CLI's defaults. */
export function cliCommand(apiPort: number, apiToken: string, args: string): string {
  const env: string[] = [];
  if (apiPort !== PORT_FLAGS.api.defaultPort) env.push(`TENANTSCOPE_API_URL=http://127.0.0.1:${apiPort}`);
  if (apiToken !== LOCAL_TOKEN) env.push(`TENANTSCOPE_API_TOKEN=${apiToken}`);
  return [...env, "pnpm tenantscope", args].join(" ");
}
