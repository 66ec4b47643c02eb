/**
 * A script's secrets (`secret_text` bindings): set one, list them, read one (never its
 * value), delete one, or change several at once (PATCH …/secrets-bulk, a JSON Merge
 * Patch). Each change is a new version of the script, as on Cloudflare. Mounted under
 * /:ns/scripts/:script by scripts.ts.
 */
import { Hono } from "hono";
import { isRecord } from "@tenantscope/core/result";
import type { BindingSpec } from "../store/types.ts";
import { ApiError, codes, success } from "./envelope.ts";
import { scriptTarget } from "./params.ts";
import { changedVersion, saveScript, storedScript, storedVersion } from "./save.ts";
import { bad, parseBindings } from "./upload-metadata.ts";

export const scriptSecrets = new Hono<{ Bindings: Env }>();

type Secret = Extract<BindingSpec, { type: "secret_text" }>;

function secretNotFound(name: string): ApiError {
  return new ApiError(404, codes.secretNotFound, `secret "${name}" not found on this script`);
}

const shown = (b: Secret) => ({ name: b.name, type: b.type });

function secretsOf(bindings: readonly BindingSpec[]): Secret[] {
  return bindings.filter((b): b is Secret => b.type === "secret_text");
}

/** A secret as sent (`{name, text, type: "secret_text"}`), checked as any binding is. */
function parseSecret(value: unknown, name?: string): Secret {
  if (!isRecord(value)) throw bad('a secret is a JSON object like {"name": "API_KEY", "text": "…", "type": "secret_text"}');
  const named: Record<string, unknown> = { ...value, name: name ?? value.name };
  if (named.type !== "secret_text") throw bad(`secret "${String(named.name)}": type must be "secret_text" (secret_key is not supported locally)`);
  const [binding] = parseBindings([named]);
  if (binding?.type !== "secret_text") throw bad("invalid secret");
  return binding;
}

/** The bindings with these secrets set (or removed, for null); a non-secret of the same name is refused. */
function withSecrets(bindings: readonly BindingSpec[], changes: ReadonlyMap<string, Secret | null>): BindingSpec[] {
  for (const [name, change] of changes) {
    const clash = bindings.find((b) => b.name === name && b.type !== "secret_text");
    if (clash !== undefined && change !== null) throw bad(`binding "${name}" is already a ${clash.type} binding of this script`);
  }
  const kept = bindings.filter((b) => !changes.has(b.name) || b.type !== "secret_text");
  const added = [...changes.values()].filter((s): s is Secret => s !== null);
  return [...kept, ...added];
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text()) as unknown;
  } catch {
    throw bad("body must be JSON");
  }
}

async function change(env: Env, ns: string, name: string, changes: ReadonlyMap<string, Secret | null>): Promise<Secret[]> {
  const { script, modules } = await storedVersion(env, ns, name);
  const saved = await saveScript(env, ns, name, changedVersion(script, modules, { bindings: withSecrets(script.bindings, changes) }));
  return secretsOf(saved.script.bindings);
}

scriptSecrets.put("/secrets", async (c) => {
  const { ns, name } = scriptTarget(c);
  const secret = parseSecret(await readJson(c.req.raw));
  await change(c.env, ns, name, new Map([[secret.name, secret]]));
  return c.json(success(shown(secret)));
});

scriptSecrets.get("/secrets", async (c) => {
  const { ns, name } = scriptTarget(c);
  return c.json(success(secretsOf((await storedScript(c.env, ns, name)).bindings).map(shown)));
});

scriptSecrets.get("/secrets/:secret", async (c) => {
  const { ns, name } = scriptTarget(c);
  const secret = secretsOf((await storedScript(c.env, ns, name)).bindings).find((s) => s.name === c.req.param("secret"));
  if (secret === undefined) throw secretNotFound(c.req.param("secret"));
  return c.json(success(shown(secret)));
});

scriptSecrets.delete("/secrets/:secret", async (c) => {
  const { ns, name } = scriptTarget(c);
  const secretName = c.req.param("secret");
  if (!secretsOf((await storedScript(c.env, ns, name)).bindings).some((s) => s.name === secretName)) throw secretNotFound(secretName);
  await change(c.env, ns, name, new Map([[secretName, null]]));
  return c.json(success(null));
});

/** `{secrets: {NAME: {…} | null}}`: set or remove each; the others stay. Answers every secret after. */
scriptSecrets.patch("/secrets-bulk", async (c) => {
  const { ns, name } = scriptTarget(c);
  const body = await readJson(c.req.raw);
  if (!isRecord(body) || !isRecord(body.secrets)) throw bad('body must be JSON like {"secrets": {"API_KEY": {"type": "secret_text", "text": "…"}, "OLD": null}}');
  const changes = new Map<string, Secret | null>();
  for (const [key, value] of Object.entries(body.secrets)) changes.set(key, value === null ? null : parseSecret(value, key));
  const secrets = await change(c.env, ns, name, changes);
  return c.json(success(Object.fromEntries(secrets.map((s) => [s.name, shown(s)]))));
});
