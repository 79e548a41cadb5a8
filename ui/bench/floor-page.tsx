// The app's first page drawn by React without the app: React and Fluent UI's provider render
// the page's settled DOM and CSS, which snapshot-page.mjs saved as page.html beside this page.
// make bench shows it in the bare Tauri app as the floor of start and memory for a React page
// with this content. One element holds the whole page, where the app has a component per part,
// so React keeps less here than any app drawing this page would.
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { createRoot } from "react-dom/client";

const root = document.getElementById("root");
if (!root) throw new Error("floor-page.html has no #root element");
void fetch("./page.html")
  .then((response) => response.text())
  .then((html) => {
    const saved = new DOMParser().parseFromString(html, "text/html");
    saved.head.querySelectorAll("style").forEach((style) => document.head.append(style));
    createRoot(root).render(
      <FluentProvider theme={webLightTheme}>
        <div dangerouslySetInnerHTML={{ __html: saved.body.innerHTML }} />
      </FluentProvider>,
    );
  });
