/**
 * Bundles each Worker's `main` with esbuild, the way wrangler would for workerd, into
 * a private output folder. In watch mode it reports which Workers changed output.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";
import { textModulesPlugin } from "./text-modules.ts";

export interface BuildTarget {
  /** Worker name; also the output sub-folder. */
  name: string;
  entry: string;
}

export interface Builder {
  /** Absolute path of each Worker's bundled module, by Worker name. */
  scriptPaths: ReadonlyMap<string, string>;
  dispose(): Promise<void>;
}

export interface BuilderOptions {
  outRoot: string;
  watch: boolean;
  /** Called after a watched rebuild changed a Worker's output. */
  onChange?: (name: string) => void;
  /** Called with esbuild's formatted messages when a watched rebuild fails. */
  onError?: (name: string, message: string) => void;
}

export class BuildError extends Error {
  override name = "BuildError";
}

function esbuildOptions(target: BuildTarget, outfile: string, plugins: esbuild.Plugin[]): esbuild.BuildOptions {
  return {
    entryPoints: [target.entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    target: "es2024",
    sourcemap: true,
    write: false,
    logLevel: "silent",
    // `text:` imports: the stand-in's tenant wrapper modules (text-modules.ts).
    plugins: [textModulesPlugin(), ...plugins],
  };
}

function isBuildFailure(error: unknown): error is esbuild.BuildFailure {
  return error instanceof Error && "errors" in error && Array.isArray(error.errors);
}

async function formatErrors(errors: esbuild.Message[]): Promise<string> {
  const lines = await esbuild.formatMessages(errors, { kind: "error", color: false });
  return lines.join("\n");
}

/** Writes the outputs and returns a hash of them, so unchanged rebuilds are ignored. */
async function writeOutputs(files: esbuild.OutputFile[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    await writeFile(file.path, file.contents);
    hash.update(file.path).update(file.contents);
  }
  return hash.digest("hex");
}

async function startTarget(target: BuildTarget, opts: BuilderOptions): Promise<{ scriptPath: string; ctx: esbuild.BuildContext }> {
  const outDir = join(opts.outRoot, target.name);
  await mkdir(outDir, { recursive: true });
  const scriptPath = join(outDir, "index.js");
  let lastHash = "";
  let ready = false;
  const reporter: esbuild.Plugin = {
    name: "tenantscope-report",
    setup(build) {
      build.onEnd(async (result) => {
        if (!ready) return;
        if (result.errors.length > 0) {
          opts.onError?.(target.name, await formatErrors(result.errors));
          return;
        }
        const hash = await writeOutputs(result.outputFiles ?? []);
        if (hash === lastHash) return;
        lastHash = hash;
        opts.onChange?.(target.name);
      });
    },
  };
  const ctx = await esbuild.context(esbuildOptions(target, scriptPath, [reporter]));
  try {
    const first = await ctx.rebuild();
    lastHash = await writeOutputs(first.outputFiles ?? []);
  } catch (error) {
    await ctx.dispose();
    const detail = isBuildFailure(error) ? await formatErrors(error.errors) : String(error);
    throw new BuildError(`could not bundle ${target.name} (${relative(process.cwd(), target.entry)}):\n${detail}`);
  }
  ready = true;
  if (opts.watch) await ctx.watch();
  return { scriptPath, ctx };
}

export async function startBuilder(targets: readonly BuildTarget[], opts: BuilderOptions): Promise<Builder> {
  const scriptPaths = new Map<string, string>();
  const contexts: esbuild.BuildContext[] = [];
  try {
    for (const target of targets) {
      const { scriptPath, ctx } = await startTarget(target, opts);
      scriptPaths.set(target.name, scriptPath);
      contexts.push(ctx);
    }
  } catch (error) {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
    throw error;
  }
  return {
    scriptPaths,
    async dispose() {
      await Promise.all(contexts.map((ctx) => ctx.dispose()));
    },
  };
}

/**
 * One bundle of each target, written once (no watch), for Workers that a test
 * project runs next to the Worker under test (the vitest plugin takes only built
 * JavaScript for those). `outRoot` is kept between runs; each build overwrites it.
 */
export async function buildOnce(targets: readonly BuildTarget[], outRoot: string): Promise<ReadonlyMap<string, string>> {
  const builder = await startBuilder(targets, { outRoot, watch: false });
  await builder.dispose();
  return builder.scriptPaths;
}
