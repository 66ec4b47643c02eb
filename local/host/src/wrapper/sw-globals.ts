/**
 * Service-worker tenants, part 1 (evaluated before their script): the globals that
 * format gives a script. `addEventListener('fetch', …)` collects listeners, and each
 * binding (the loader's `env`) is a global, as in production. Binding names that are
 * not identifiers stay on `env` only.
 */
import { env } from "cloudflare:workers";

export interface FetchEvent {
  type: "fetch";
  request: Request;
  respondWith(response: Response | Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

export const listeners: ((event: FetchEvent) => void)[] = [];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const globals = globalThis as unknown as Record<string, unknown>;

globals.addEventListener = function addEventListener(type: string, listener: (event: FetchEvent) => void): void {
  if (type === "fetch") listeners.push(listener);
};
for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
  if (IDENTIFIER.test(name) && name !== "addEventListener") globals[name] = value;
}
