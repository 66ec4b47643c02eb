/**
 * Listing correctness at a size that crosses the 1000-script page cap, with a
 * tag filter and writes between pages. The 10,000-script timing lives in
 * bench/namespace-list.ts.
 */
import { describe, expect, it } from "vitest";
import { api, createNamespace, uniqueName, upload } from "./helpers.ts";

const COUNT = 1_200;
const SRC = `export default { fetch() { return new Response("ok"); } }`;
const nameOf = (i: number) => `t-${String(i).padStart(5, "0")}`;
/** Every 3rd script is "even-ish", every 5th is "blocked". */
const tagsOf = (i: number) => [...(i % 3 === 0 ? ["third"] : []), ...(i % 5 === 0 ? ["fifth"] : []), "all"];

type Page = { status: number; body: { result: { id: string }[]; result_info?: { cursor?: string; count: number } } };

async function listAll(ns: string, query: string, between?: (page: number) => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res: Page = await api<{ id: string }[]>(`/${ns}/scripts?${query}${cursor === undefined ? "" : `&cursor=${cursor}`}`);
    expect(res.status).toBe(200);
    expect(res.body.result_info?.count).toBe(res.body.result.length);
    names.push(...res.body.result.map((s) => s.id));
    cursor = res.body.result_info?.cursor;
    if (cursor === undefined) return names;
    await between?.(page);
  }
  throw new Error("listing did not end");
}

describe(`a namespace with ${COUNT} scripts`, () => {
  const ns = uniqueName("scale");
  const ready = (async () => {
    await createNamespace(ns);
    for (let i = 0; i < COUNT; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, COUNT - i) }, (_, k) =>
        upload(ns, nameOf(i + k), SRC, { metadata: { tags: tagsOf(i + k) } })));
    }
  })();

  it("caps a page at 1000 and defaults to it", { timeout: 120_000 }, async () => {
    await ready;
    const first = await api<{ id: string }[]>(`/${ns}/scripts`);
    expect(first.body.result).toHaveLength(1000);
    expect(first.body.result_info).toMatchObject({ count: 1000, per_page: 1000 });
    const capped = await api<{ id: string }[]>(`/${ns}/scripts?limit=5000`);
    expect(capped.body.result).toHaveLength(1000);
    expect((await api<{ script_count: number }>(`/${ns}`)).body.result.script_count).toBe(COUNT);
  });

  it("lists every script exactly once, in name order, across pages", { timeout: 120_000 }, async () => {
    await ready;
    const expected = Array.from({ length: COUNT }, (_, i) => nameOf(i));
    expect(await listAll(ns, "limit=1000")).toEqual(expected);
    expect(await listAll(ns, "limit=170")).toEqual(expected);
  });

  it("filters with allow and block lists across pages", { timeout: 120_000 }, async () => {
    await ready;
    const want = (pred: (i: number) => boolean) => Array.from({ length: COUNT }, (_, i) => i).filter(pred).map(nameOf);
    expect(await listAll(ns, "limit=100&tags=third:yes")).toEqual(want((i) => i % 3 === 0));
    expect(await listAll(ns, "limit=100&tags=third:yes,fifth:no")).toEqual(want((i) => i % 3 === 0 && i % 5 !== 0));
    expect(await listAll(ns, "limit=333&tags=all:yes,third:no,fifth:no")).toEqual(want((i) => i % 3 !== 0 && i % 5 !== 0));
  });

  it("keeps its cursor while scripts are added and deleted between pages", { timeout: 120_000 }, async () => {
    await ready;
    const other = uniqueName("churn");
    await createNamespace(other);
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => upload(other, nameOf(i + k), SRC)));
    }
    // Between pages: delete a script already listed and one not yet listed, add one
    // before the cursor and one after it.
    const deleted = new Set<string>();
    const seen = await listAll(other, "limit=50", async (page) => {
      for (const name of [nameOf(page * 50), nameOf(page * 50 + 75)]) {
        await api(`/${other}/scripts/${name}`, { method: "DELETE" });
        deleted.add(name);
      }
      await upload(other, `${nameOf(page * 50)}-a`, SRC);
      await upload(other, `${nameOf(page * 50 + 99)}-z`, SRC);
    });
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    expect(seen).toEqual([...seen].sort()); // still in name order
    // A script that existed throughout was never skipped.
    const survivors = Array.from({ length: 300 }, (_, i) => nameOf(i)).filter((n) => !deleted.has(n));
    expect(survivors.filter((n) => !seen.includes(n))).toEqual([]);
    expect(seen.some((n) => n.endsWith("-z"))).toBe(true); // additions past the cursor show up
  });
});
