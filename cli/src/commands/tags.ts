/** `tenantscope tags list|set|add|rm`: a script's tags (labels; plans live in KV). */
import { paths } from "../api.ts";
import { arg, printJson, type Context, type Group } from "../command.ts";
import { validateTags } from "../upload.ts";

async function show(ctx: Context, name: string): Promise<void> {
  const res = await ctx.api.call<string[]>("GET", paths.tags(ctx.namespace, name));
  if (ctx.json) return printJson(ctx, res.result);
  ctx.out(res.result.length === 0 ? `${name} has no tags` : `${name}: ${res.result.join(", ")}`);
}

export const tagsGroup: Group = {
  summary: "script tags",
  commands: {
    list: {
      usage: "tags list <script>",
      summary: "show a script's tags",
      args: [1, 1],
      run: (ctx, args) => show(ctx, arg(args, 0)),
    },
    set: {
      usage: "tags set <script> [tag...]",
      summary: "replace a script's tags (none clears them)",
      args: [1, Number.POSITIVE_INFINITY],
      async run(ctx, args) {
        const [name = "", ...tags] = args;
        await ctx.api.call("PUT", paths.tags(ctx.namespace, name), { body: JSON.stringify(validateTags(tags)), contentType: "application/json" });
        await show(ctx, name);
      },
    },
    add: {
      usage: "tags add <script> <tag...>",
      summary: "add tags to a script",
      args: [2, Number.POSITIVE_INFINITY],
      async run(ctx, args) {
        const [name = "", ...tags] = args;
        for (const tag of validateTags(tags)) await ctx.api.call("PUT", paths.tag(ctx.namespace, name, tag));
        await show(ctx, name);
      },
    },
    rm: {
      usage: "tags rm <script> <tag...>",
      summary: "remove tags from a script",
      args: [2, Number.POSITIVE_INFINITY],
      async run(ctx, args) {
        const [name = "", ...tags] = args;
        for (const tag of tags) await ctx.api.call("DELETE", paths.tag(ctx.namespace, name, tag));
        await show(ctx, name);
      },
    },
  },
};
