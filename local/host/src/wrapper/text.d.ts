// `import source from "text:./file.ts"`: the module bundled to one ES module's
// JavaScript text at build time (local/dev/text-modules.ts, for esbuild and Vite).
declare module "text:*" {
  const source: string;
  export default source;
}
