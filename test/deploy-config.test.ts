/**
 * deploy/config.ts reads the committed wrangler.jsonc files with wrangler's own
 * reader and writes the account-filled copies that `pnpm run deploy` hands to
 * `wrangler deploy --config`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployConfig, readConfig, requiredSecrets, writeDeployConfig } from "../deploy/config.ts";
import { ROOT, WORKERS, type WorkerSpec } from "../deploy/workers.ts";

const scratch = join(ROOT, ".tenantscope");
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, "deploy-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function worker(name: string, jsonc: string): WorkerSpec {
  const sub = join(dir, name);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, "wrangler.jsonc"), jsonc);
  return { dir: relative(ROOT, sub), name, bindings: [] };
}

describe("deploy config", () => {
  it("reads JSONC as wrangler does: comments and trailing commas go, strings stay whole", () => {
    const spec = worker("jsonc", `{
      // a comment
      "name": "jsonc", /* another */
      "main": "src/index.ts",
      "vars": { "A": "a,}", "B": "http://x//y", "C": "/* not a comment */", },
      "secrets": { "required": ["S1", "S2"] },
    }`);
    const config = readConfig(spec);
    expect(config.vars).toEqual({ A: "a,}", B: "http://x//y", C: "/* not a comment */" });
    expect(requiredSecrets(config)).toEqual(["S1", "S2"]);
  });

  it("refuses a config whose name is not the one deploy/workers.ts expects", () => {
    const spec = { ...worker("renamed", `{ "name": "other" }`), name: "renamed" };
    expect(() => readConfig(spec)).toThrow(/name is "other", deploy\/workers.ts expects "renamed"/);
  });

  it.each(WORKERS.map((spec) => [spec.name, spec] as const))("fills in the PLANS id and absolute paths for %s", (_name, spec) => {
    const config = deployConfig(spec, { plansKvId: "kv-123" });
    expect(config.name).toBe(spec.name);
    expect(config.$schema).toBeUndefined();
    expect(typeof config.main === "string" && isAbsolute(config.main), `${spec.name} main`).toBe(true);
    expect(config.kv_namespaces).toContainEqual({ binding: "PLANS", id: "kv-123" });
  });

  it("gives only the dispatcher the platform domain's route and var", () => {
    const values = { plansKvId: "kv-123", platformDomain: "tenants.example.com", zone: "example.com" };
    const routed = WORKERS.map((spec) => deployConfig(spec, values)).filter((config) => config.routes !== undefined);
    expect(routed.map((config) => config.name)).toEqual(["tenantscope-dispatcher"]);
    expect(routed[0]?.routes).toEqual([{ pattern: "*.tenants.example.com/*", zone_name: "example.com" }]);
    expect(routed[0]?.vars).toMatchObject({ PLATFORM_DOMAIN: "tenants.example.com" });
  });

  it("gives the dashboard's URL to the alert evaluator (the one config with DASHBOARD_URL) and deploys it before the dashboard", () => {
    const values = { plansKvId: "kv-123", dashboardUrl: "https://dashboard.example.com" };
    const linked = WORKERS.map((spec) => deployConfig(spec, values)).filter((config) => typeof config.vars === "object" && config.vars !== null && !Array.isArray(config.vars) && config.vars.DASHBOARD_URL === values.dashboardUrl);
    expect(linked.map((config) => config.name)).toEqual(["tenantscope-alerts"]);
    const order = WORKERS.map((w) => w.name);
    expect(order.indexOf("tenantscope-alerts")).toBeLessThan(order.indexOf("tenantscope-dashboard"));
    const alerts = WORKERS.find((w) => w.name === "tenantscope-alerts");
    if (alerts === undefined) throw new Error("the evaluator is not in deploy/workers.ts");
    expect(deployConfig(alerts, values).triggers).toEqual({ crons: ["* * * * *"] });
  });

  it("writes a copy that reads back as the same config", () => {
    const spec = WORKERS[0];
    if (spec === undefined) throw new Error("no Workers listed");
    const path = writeDeployConfig(dir, spec, { plansKvId: "kv-9" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(deployConfig(spec, { plansKvId: "kv-9" }));
  });
});
