/** `script upload --observability`: Workers Logs on in the upload metadata, as Cloudflare takes it. */
import { describe, expect, it } from "vitest";
import { parseSamplingRate, uploadForm, type ScriptSource, type UploadSettings } from "../src/upload.ts";

const source: ScriptSource = { modules: [{ name: "index.js", content: new TextEncoder().encode("export default {}"), type: "application/javascript+module" }], serviceWorker: false };
const base: UploadSettings = { tags: [], bindings: [], tailConsumers: [{ service: "tenantscope-tail" }], compatibilityDate: "2026-11-01" };

async function metadataOf(settings: UploadSettings): Promise<Record<string, unknown>> {
  const part = uploadForm(source, settings).get("metadata");
  if (!(part instanceof Blob)) throw new Error("no metadata part");
  return JSON.parse(await part.text()) as Record<string, unknown>;
}

describe("observability in uploads", () => {
  it("is absent unless asked for", async () => {
    expect(await metadataOf(base)).not.toHaveProperty("observability");
  });

  it("sets observability.enabled with the sampling rate", async () => {
    const meta = await metadataOf({ ...base, observability: { enabled: true, head_sampling_rate: parseSamplingRate("0.25") } });
    expect(meta.observability).toEqual({ enabled: true, head_sampling_rate: 0.25 });
  });

  it("refuses a sampling rate outside 0..1", () => {
    for (const bad of ["2", "-0.1", "", "half"]) expect(() => parseSamplingRate(bad)).toThrow("--logs-sampling must be a number from 0 to 1");
    expect(parseSamplingRate(undefined)).toBe(1);
  });
});
