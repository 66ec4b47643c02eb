/**
 * `import source from "text:./file.ts"`: the file (relative to the importer) bundled
 * by esbuild into one ES module, as a string (miniflare imports its workerd-side
 * code the same way, as `worker:` modules). This is how the stand-in carries the modules it wraps tenants
 * in (local/src/runtime/wrapper/) as real, type-checked TypeScript.
 *
 * In those files a relative `.js` import names another module of the Worker Loader
 * code (`./prelude.js`, `./tenant.js`) and stays an import; `.ts` imports, and
 * everything else, are bundled in. `cloudflare:*` and `node:*` stay imports too.
 *
 * Used by the dev runner's build (esbuild plugin, build.ts) and by local's vitest
 * config (Vite plugin). wrangler's own text-module rules would need the JavaScript
 * prebuilt on disk, so the stand-in is only ever built through these two.
 */
import { dirname, resolve } from "node:path";
import * as esbuild from "esbuild";

export const TEXT_PREFIX = "text:";
const NAMESPACE = "tenantscope-text";
const VIRTUAL_PREFIX = "\0tenantscope-text:";

const loaderSiblings: esbuild.Plugin = {
  name: "tenantscope-loader-siblings",
  setup(build) {
    build.onResolve({ filter: /^\.\/[^/]+\.js$/ }, (args) => (args.kind === "entry-point" ? undefined : { path: args.path, external: true }));
  },
};

/** The file's bundle as JavaScript text, and the source files it read (for watching). */
export async function bundleToText(path: string): Promise<{ text: string; inputs: string[] }> {
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    external: ["cloudflare:*", "node:*"],
    metafile: true,
    logLevel: "silent",
    plugins: [loaderSiblings],
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild produced no output for ${path}`);
  return { text, inputs: Object.keys(result.metafile.inputs).map((input) => resolve(input)) };
}

function moduleSource(text: string): string {
  return `export default ${JSON.stringify(text)};\n`;
}

/** esbuild: resolves `text:` imports to their bundled text; watch mode follows their sources. */
export function textModulesPlugin(): esbuild.Plugin {
  return {
    name: "tenantscope-text-modules",
    setup(build) {
      build.onResolve({ filter: /^text:/ }, (args) => ({
        path: resolve(args.resolveDir, args.path.slice(TEXT_PREFIX.length)),
        namespace: NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        const { text, inputs } = await bundleToText(args.path);
        return { contents: moduleSource(text), loader: "js", watchFiles: inputs };
      });
    },
  };
}

/** Vite (the vitest plugin's module runner): the same, as a virtual module. */
export function textModulesVitePlugin() {
  return {
    name: "tenantscope-text-modules",
    enforce: "pre" as const,
    resolveId(source: string, importer: string | undefined): string | null {
      if (!source.startsWith(TEXT_PREFIX) || importer === undefined) return null;
      return VIRTUAL_PREFIX + resolve(dirname(importer), source.slice(TEXT_PREFIX.length));
    },
    async load(id: string): Promise<string | null> {
      if (!id.startsWith(VIRTUAL_PREFIX)) return null;
      return moduleSource((await bundleToText(id.slice(VIRTUAL_PREFIX.length))).text);
    },
  };
}
