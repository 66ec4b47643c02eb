/** The evaluator's SQL settings (core/sql-settings.ts, shared with the dashboard): a problem names the setting, never its value. */
import { describe, expect, it } from "vitest";
import { ConfigError, sqlSettings } from "../src/config.ts";

const TOKEN = "tok-0123456789-secret";
const base = { AE_SQL_URL: "https://api.cloudflare.com/client/v4/accounts/{account}/analytics_engine/sql", CF_ACCOUNT_ID: "abc123", CF_API_TOKEN: ` ${TOKEN} ` };

describe("sqlSettings", () => {
  it("fills in the account and trims the token; a blank URL is Cloudflare's", () => {
    expect(sqlSettings(base)).toEqual({ url: "https://api.cloudflare.com/client/v4/accounts/abc123/analytics_engine/sql", token: TOKEN });
    expect(sqlSettings({ ...base, AE_SQL_URL: "" }).url).toBe("https://api.cloudflare.com/client/v4/accounts/abc123/analytics_engine/sql");
    expect(sqlSettings({ ...base, AE_SQL_URL: "http://127.0.0.1:8789/sql" }).url).toBe("http://127.0.0.1:8789/sql");
  });

  it("refuses what would leak the token or cannot work, naming the setting only", () => {
    const problem = (env: typeof base): string => {
      try {
        sqlSettings(env);
      } catch (error) {
        return error instanceof ConfigError ? error.message : `not a ConfigError: ${String(error)}`;
      }
      return "no error";
    };
    expect(problem({ ...base, AE_SQL_URL: "http://sql.example.com/{account}" })).toContain("AE_SQL_URL must use https");
    expect(problem({ ...base, CF_ACCOUNT_ID: "" })).toContain("CF_ACCOUNT_ID is not set");
    expect(problem({ ...base, CF_ACCOUNT_ID: "a/b" })).toContain("CF_ACCOUNT_ID is not an account id");
    expect(problem({ ...base, AE_SQL_URL: "not a url" })).toContain("AE_SQL_URL is not a URL");
    expect(problem({ ...base, CF_API_TOKEN: " " })).toContain("CF_API_TOKEN is not set");
    expect(problem({ ...base, AE_SQL_URL: "http://sql.example.com/" })).not.toContain(TOKEN);
  });
});
