/**
 * Cloudflare's Workers KV REST API over the local plans namespace (the PLANS
 * binding the dispatcher and the dashboard read), as wrangler and the `cloudflare`
 * SDK call it. Mounted at /client/v4/accounts/:account/storage/kv/namespaces.
 */
import { Hono } from "hono";
import { success } from "./envelope.ts";
import { bulk } from "./kv-bulk.ts";
import { createNamespace, listNamespaces, namespaceNotFound, plansNamespace, unsupported } from "./kv-namespaces.ts";
import { values } from "./kv-values.ts";

export const kv = new Hono<{ Bindings: Env }>();

kv.get("/", (c) => listNamespaces(c));
kv.post("/", (c) => createNamespace(c));

// Every route under a namespace id serves only the plans namespace.
kv.use("/:id/*", async (c, next) => {
  const id = c.req.param("id");
  if (id !== c.env.PLANS_KV_ID) throw namespaceNotFound(c.env, id);
  await next();
});
kv.use("/:id", async (c, next) => {
  const id = c.req.param("id");
  if (id !== c.env.PLANS_KV_ID) throw namespaceNotFound(c.env, id);
  await next();
});

kv.get("/:id", (c) => c.json(success(plansNamespace(c.env))));
kv.put("/:id", (c) => unsupported(c, "rename namespace"));
kv.delete("/:id", (c) => unsupported(c, "delete namespace"));

kv.route("/:id", values);
kv.route("/:id", bulk);
