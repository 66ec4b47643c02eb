/** `tenantscope namespace create|list|get|delete`. */
import { paths } from "../api.ts";
import { arg, printJson, table, type Group } from "../command.ts";

interface NamespaceResult {
  namespace_id: string;
  namespace_name: string;
  created_on: string;
  script_count?: number;
}

export const namespaceGroup: Group = {
  summary: "dispatch namespaces",
  commands: {
    create: {
      usage: "namespace create <name>",
      summary: "create a dispatch namespace",
      args: [1, 1],
      async run(ctx, args) {
        const res = await ctx.api.call<NamespaceResult>("POST", paths.namespaces(), {
          body: JSON.stringify({ name: arg(args, 0) }),
          contentType: "application/json",
        });
        if (ctx.json) return printJson(ctx, res.result);
        ctx.out(`created namespace ${res.result.namespace_name} (id ${res.result.namespace_id})`);
      },
    },
    list: {
      usage: "namespace list",
      summary: "list dispatch namespaces with their script counts",
      args: [0, 0],
      async run(ctx) {
        const res = await ctx.api.call<NamespaceResult[]>("GET", paths.namespaces());
        if (ctx.json) return printJson(ctx, res.result);
        ctx.out(table(["NAME", "SCRIPTS", "CREATED", "ID"], res.result.map((n) =>
          [n.namespace_name, String(n.script_count ?? ""), n.created_on, n.namespace_id])));
      },
    },
    get: {
      usage: "namespace get <name>",
      summary: "show one dispatch namespace",
      args: [1, 1],
      async run(ctx, args) {
        const res = await ctx.api.call<NamespaceResult>("GET", paths.namespace(arg(args, 0)));
        if (ctx.json) return printJson(ctx, res.result);
        const n = res.result;
        ctx.out(table(["NAME", "SCRIPTS", "CREATED", "ID"], [[n.namespace_name, String(n.script_count ?? ""), n.created_on, n.namespace_id]]));
      },
    },
    delete: {
      usage: "namespace delete <name>",
      summary: "delete a dispatch namespace and, at once, every script in it",
      args: [1, 1],
      async run(ctx, args) {
        await ctx.api.call("DELETE", paths.namespace(arg(args, 0)));
        if (ctx.json) return printJson(ctx, { deleted: arg(args, 0) });
        ctx.out(`deleted namespace ${arg(args, 0)} and its scripts`);
      },
    },
  },
};
