import { describe, expect, it } from "vitest";
import {
  AE_LIMITS, BLOBS, DOUBLES, col, emptyRow, sampledCount, sampledQuantile, sampledSum, toDataPoint, truncateUtf8, utf8Length,
} from "@tenantscope/core/schema";

describe("schema layout", () => {
  it("uses distinct positions within AE's limits", () => {
    const blobs = Object.values(BLOBS);
    const doubles = Object.values(DOUBLES);
    expect(new Set(blobs).size).toBe(blobs.length);
    expect(new Set(doubles).size).toBe(doubles.length);
    expect(Math.max(...blobs)).toBeLessThanOrEqual(AE_LIMITS.blobs);
    expect(Math.max(...doubles)).toBeLessThanOrEqual(AE_LIMITS.doubles);
  });

  it("names SQL columns from the schema", () => {
    expect(col("tenant")).toBe("blob1");
    expect(col("cpuMs")).toBe("double2");
    expect(sampledCount()).toBe("SUM(_sample_interval * double1)");
    expect(sampledSum("cpuMs")).toBe("SUM(_sample_interval * double1 * double2)");
    expect(sampledQuantile(0.99, "wallMs")).toBe("quantileExactWeighted(0.99)(double3, toUInt32(_sample_interval * double1))");
    expect(() => sampledQuantile(2, "cpuMs")).toThrow(RangeError);
  });
});

describe("utf8Length", () => {
  it("counts what TextEncoder writes, lone surrogates included", () => {
    const samples = ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d", "日本語テキスト", "mixed é€😀 text"];
    for (const s of samples) expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe("truncateUtf8", () => {
  it("never splits a character", () => {
    expect(truncateUtf8("aé", 2)).toBe("a");
    expect(truncateUtf8("a€", 3)).toBe("a");
    expect(truncateUtf8("a😀b", 4)).toBe("a");
    expect(truncateUtf8("a😀b", 5)).toBe("a😀");
    expect(truncateUtf8("abc", 10)).toBe("abc");
    expect(truncateUtf8("abc", 0)).toBe("");
  });
});

describe("toDataPoint", () => {
  it("puts each field at its position", () => {
    const row = { ...emptyRow(), tenant: "hello", outcome: "ok", cpuMs: 4, invocations: 1 };
    const p = toDataPoint(row);
    expect(p.indexes).toEqual(["hello"]);
    expect(p.blobs).toHaveLength(Object.keys(BLOBS).length);
    expect(p.doubles).toHaveLength(Object.keys(DOUBLES).length);
    expect(p.blobs[BLOBS.outcome - 1]).toBe("ok");
    expect(p.doubles[DOUBLES.cpuMs - 1]).toBe(4);
  });

  it("keeps a 40 KB multi-byte message within 16 KB of blobs, cut on a character boundary", () => {
    const message = "€".repeat(14_000); // 42 000 bytes
    const row = { ...emptyRow(), tenant: "t".repeat(200), namespace: "n".repeat(1000), exceptionName: "E".repeat(5000), exceptionMessage: message };
    const p = toDataPoint(row);
    const total = p.blobs.reduce((n, b) => n + utf8Length(b), 0);
    expect(total).toBeLessThanOrEqual(AE_LIMITS.blobBytesTotal);
    expect(total).toBeGreaterThan(AE_LIMITS.blobBytesTotal - 3);
    const kept = p.blobs[BLOBS.exceptionMessage - 1] ?? "";
    expect(message.startsWith(kept)).toBe(true);
    expect(kept).not.toContain("\uFFFD");
    expect(utf8Length(p.indexes[0] ?? "")).toBeLessThanOrEqual(AE_LIMITS.indexBytes);
  });

  it("replaces non-finite doubles with 0", () => {
    const p = toDataPoint({ ...emptyRow(), cpuMs: Number.NaN, wallMs: Number.NEGATIVE_INFINITY });
    expect(p.doubles.every(Number.isFinite)).toBe(true);
  });
});
