import { teamsDarkTheme, teamsLightTheme } from "@fluentui/react-components";
import { describe, expect, it } from "vitest";

import { forLinux, onLinux } from "./useSystemTheme";

// A layer whose third length, the blur radius, is not zero.
const BLUR = /(^|,\s*)-?[\d.]+(px)? -?[\d.]+(px)? [1-9][\d.]*px/;

describe("the theme on Linux", () => {
  it("is chosen for WebKitGTK's user agent only", () => {
    expect(onLinux("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe(true);
    expect(onLinux("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe(false);
    expect(onLinux("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Edg/120.0")).toBe(false);
  });

  it("draws every shadow without blur, in Teams' own colours, light and dark", () => {
    for (const teams of [teamsLightTheme, teamsDarkTheme]) {
      const linux = forLinux(teams);
      const shadows = Object.keys(teams).filter((token) => token.startsWith("shadow")) as (keyof typeof teams)[];
      expect(shadows.length).toBeGreaterThan(6);
      for (const token of shadows) {
        expect(teams[token]).toMatch(BLUR);
        expect(linux[token]).not.toMatch(BLUR);
        expect(String(linux[token]).match(/rgba?\([^)]*\)/g)).toEqual(String(teams[token]).match(/rgba?\([^)]*\)/g));
      }
    }
  });

  it("uses the desktop's default fonts and keeps every colour and size", () => {
    const linux = forLinux(teamsLightTheme);
    expect(linux.fontFamilyBase).toBe("sans-serif");
    expect(linux.fontFamilyNumeric).toBe("sans-serif");
    expect(linux.fontFamilyMonospace).toBe("monospace");
    expect(linux.colorBrandBackground).toBe(teamsLightTheme.colorBrandBackground);
    expect(linux.fontSizeBase300).toBe(teamsLightTheme.fontSizeBase300);
  });
});
