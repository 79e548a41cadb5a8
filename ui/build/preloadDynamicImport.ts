import type { HtmlTagDescriptor, Plugin } from "vite";

/** What this plugin reads of Vite's output: a chunk's file, its module and its static imports. */
export type Output =
  | { type: "chunk"; fileName: string; facadeModuleId: string | null; imports: string[] }
  | { type: "asset"; fileName: string };

/**
 * The files to preload for the chunk of `module` (a path ending, such as "/src/app/mount.tsx"):
 * that chunk and every chunk it imports statically, less what the entry already imports.
 */
export function filesToPreload(
  bundle: Record<string, Output>,
  entry: { fileName: string; imports: string[] },
  module: string,
): string[] {
  const target = Object.values(bundle).find(
    (output) => output.type === "chunk" && output.facadeModuleId?.endsWith(module),
  );
  if (!target) throw new Error(`preload-dynamic-import: no chunk for ${module}`);
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file) || file === entry.fileName || entry.imports.includes(file)) return;
    files.add(file);
    const output = bundle[file];
    if (output?.type === "chunk") output.imports.forEach(visit);
  };
  visit(target.fileName);
  return [...files];
}

/**
 * main.tsx imports the app (`module`, src/app/mount.tsx) dynamically, so that the first page's
 * reads are asked before React and Fluent UI have loaded. Vite would then fetch the app's code
 * only once that import runs; this lists it in `page` (/index.html) as `modulepreload`, as Vite
 * does for a static import, so that the window loads it from the start. Other pages built with
 * this configuration (the benchmarks' floors) are left as they are.
 */
export function preloadDynamicImport(page: string, module: string): Plugin {
  let base = "/";
  return {
    name: "preload-dynamic-import",
    apply: "build",
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, { path, bundle, chunk }) {
        if (path !== page || !bundle || !chunk) return;
        return filesToPreload(bundle, chunk, module).map(
          (file): HtmlTagDescriptor => ({
            tag: "link",
            attrs: { rel: "modulepreload", crossorigin: true, href: base + file },
            injectTo: "head",
          }),
        );
      },
    },
  };
}
