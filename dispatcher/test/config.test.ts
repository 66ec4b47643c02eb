import { describe, expect, it } from "vitest";
import { ConfigError, configFor, parseConfig } from "../src/config.ts";
import type { DispatcherVars } from "../src/env.ts";
import { productionVars } from "./fakes.ts";

function parse(vars: DispatcherVars) {
  return parseConfig({ ...productionVars, ...vars });
}

describe("parseConfig", () => {
  it("reads the production vars from wrangler.jsonc", () => {
    expect(parse({})).toStrictEqual({
      ok: true,
      value: {
        routing: ["subdomain", "header", "hostmap", "path"],
        platformDomain: "tenants.example.com",
        tenantHeader: "x-tenantscope-tenant",
        defaultPlan: "free",
        ttlMs: 30_000,
      },
    });
  });

  it("trims the list, drops empties and duplicates, and normalises names", () => {
    const result = parse({ ROUTING: " path , ,header,path", PLATFORM_DOMAIN: "Tenants.Example.com:8787", TENANT_HEADER: "X-Tenant" });
    expect(result.ok && result.value).toMatchObject({ routing: ["path", "header"], platformDomain: "tenants.example.com", tenantHeader: "x-tenant" });
  });

  it("takes the TTL in seconds, fractions allowed", () => {
    const result = parse({ PLAN_CACHE_TTL_SECONDS: "0.5" });
    expect(result.ok && result.value.ttlMs).toBe(500);
  });

  const invalid: Array<[string, DispatcherVars, string]> = [
    ["unknown strategy", { ROUTING: "subdomain,dns" }, "bad_routing"],
    ["strategy names are exact", { ROUTING: "Subdomain" }, "bad_routing"],
    ["no strategy", { ROUTING: " , " }, "bad_routing"],
    ["missing ROUTING", { ROUTING: undefined }, "bad_routing"],
    ["subdomain without a domain", { PLATFORM_DOMAIN: "" }, "bad_platform_domain"],
    ["a domain with a leading dot", { PLATFORM_DOMAIN: ".example.com" }, "bad_platform_domain"],
    ["header routing without a header", { TENANT_HEADER: "" }, "bad_tenant_header"],
    ["a header name with a space", { TENANT_HEADER: "x tenant" }, "bad_tenant_header"],
    ["bad default plan", { DEFAULT_PLAN: "Free" }, "bad_default_plan"],
    ["empty TTL", { PLAN_CACHE_TTL_SECONDS: "" }, "bad_ttl"],
    ["negative TTL", { PLAN_CACHE_TTL_SECONDS: "-1" }, "bad_ttl"],
    ["TTL with a unit", { PLAN_CACHE_TTL_SECONDS: "30s" }, "bad_ttl"],
  ];
  for (const [label, vars, reason] of invalid) {
    it(`rejects ${label}`, () => {
      const result = parse(vars);
      expect(result.ok ? "ok" : result.reason).toBe(reason);
    });
  }

  it("does not need a domain or header for strategies that are off", () => {
    expect(parse({ ROUTING: "path", PLATFORM_DOMAIN: "", TENANT_HEADER: "" }).ok).toBe(true);
  });
});

describe("configFor", () => {
  it("parses once per env object", () => {
    const env = { ...productionVars };
    const first = configFor(env);
    env.ROUTING = "path";
    expect(configFor(env)).toBe(first);
    expect(configFor({ ...env }).routing).toEqual(["path"]);
  });

  it("throws a ConfigError naming the problem", () => {
    expect(() => configFor({ ...productionVars, ROUTING: "carrier-pigeon" })).toThrow(ConfigError);
    expect(() => configFor({ ...productionVars, ROUTING: "carrier-pigeon" })).toThrow(/carrier-pigeon/);
  });
});
