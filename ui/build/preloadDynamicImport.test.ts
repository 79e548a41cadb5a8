import { describe, expect, it } from "vitest";

import { filesToPreload } from "./preloadDynamicImport";
import type { Output } from "./preloadDynamicImport";

const chunk = (fileName: string, imports: string[], facadeModuleId: string | null = null): Output => ({
  type: "chunk",
  fileName,
  facadeModuleId,
  imports,
});

describe("preloading the app that main.tsx imports dynamically", () => {
  const entry = { fileName: "assets/index.js", imports: ["assets/commands.js"] };
  const bundle: Record<string, Output> = {
    "assets/index.js": chunk("assets/index.js", ["assets/commands.js"], "/ui/src/main.tsx"),
    "assets/commands.js": chunk("assets/commands.js", []),
    "assets/mount.js": chunk("assets/mount.js", ["assets/react-dom.js", "assets/Tab.js", "assets/index.js"], "/ui/src/app/mount.tsx"),
    "assets/react-dom.js": chunk("assets/react-dom.js", ["assets/commands.js"]),
    "assets/Tab.js": chunk("assets/Tab.js", ["assets/react-dom.js"]),
    "assets/IssuesPage.js": chunk("assets/IssuesPage.js", ["assets/Tab.js"], "/ui/src/features/issues/IssuesPage.tsx"),
    "assets/index.css": { type: "asset", fileName: "assets/index.css" },
  };

  it("lists the app's chunk and every chunk it needs, once, but not what the entry loads already", () => {
    expect(filesToPreload(bundle, entry, "/src/app/mount.tsx").sort()).toEqual([
      "assets/Tab.js",
      "assets/mount.js",
      "assets/react-dom.js",
    ]);
  });

  it("leaves the pages that load later alone", () => {
    expect(filesToPreload(bundle, entry, "/src/app/mount.tsx")).not.toContain("assets/IssuesPage.js");
  });

  it("fails the build when the app's chunk is missing, instead of loading it late", () => {
    expect(() => filesToPreload(bundle, entry, "/src/app/boot.tsx")).toThrow(/no chunk for \/src\/app\/boot.tsx/);
  });
});
