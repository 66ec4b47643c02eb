/**
 * Service-worker tenants, part 2: a module with a fetch handler that dispatches to
 * the listeners the script registered. sw-globals.js runs first, then the script.
 */
import { type FetchEvent, listeners } from "./sw-globals.js";
import "./sw-script.js";

export default {
  async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
    let response: Response | Promise<Response> | undefined;
    let responded = false;
    const event: FetchEvent = {
      type: "fetch",
      request,
      respondWith(r) { responded = true; response = r; },
      waitUntil(p) { ctx.waitUntil(p); },
      passThroughOnException() {},
    };
    for (const listener of listeners) {
      listener(event);
      if (responded) break;
    }
    if (!responded || response === undefined) throw new Error("No response: the fetch event listener did not call respondWith().");
    return await response;
  },
};
