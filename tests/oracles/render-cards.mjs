// Microsoft's Adaptive Cards renderer (npm `adaptivecards`) under jsdom with the Teams host
// configs: parses, validates and renders each card file given, and prints, per card, every
// parse and validation message and the rendered text as JSON.
// Usage: node render-cards.mjs HOSTCONFIG.json CARD.json...
import fs from "node:fs";
import { createRequire } from "node:module";

import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true, url: "https://teams.example/" });
globalThis.window = dom.window;
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (name in globalThis) continue;
  try {
    globalThis[name] = dom.window[name];
  } catch {
    // Some getters (storage) refuse to be read; the renderer does not need them.
  }
}
const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js");
const markdown = require("markdown-it")();
// Teams renders the Markdown subset of TextBlocks; so does this oracle.
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

const [hostConfigFile, ...cards] = process.argv.slice(2);
const hostConfig = new AC.HostConfig(JSON.parse(fs.readFileSync(hostConfigFile, "utf8")));
const results = cards.map((file) => {
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const parse = [];
  for (let i = 0; i < context.eventCount; i++) parse.push(context.getEventAt(i).message);
  const validation = card.validateProperties().validationEvents.map((event) => event.message);
  const element = card.render();
  document.body.appendChild(element);
  return { file, parse, validation, rendered: Boolean(element), text: element ? element.textContent : "", actions: card.getActionCount() };
});
process.stdout.write(JSON.stringify(results));
