#!/usr/bin/env node
// Reads benchmark output (files named on the command line) and prints every `figure` line as
// one table: measure, figure, floor, ratio to the floor, target, met or not.
import fs from "node:fs";

const figures = process.argv
  .slice(2)
  .flatMap((file) => fs.readFileSync(file, "utf8").split("\n"))
  .filter((line) => line.startsWith("figure "))
  .map((line) => JSON.parse(line.slice("figure ".length)));

const number = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const withUnit = (v, unit) => (unit === "%" ? `${number(v)} %` : unit ? `${number(v)} ${unit}` : number(v));
const rows = figures.map((f) => {
  const ratio = f.floor ? f.value / f.floor : null;
  const { kind, value } = f.target;
  const met =
    kind === "at_most" ? f.value <= value : kind === "at_least" ? f.value >= value : ratio !== null && ratio <= value;
  const target =
    kind === "at_most" ? `≤ ${withUnit(value, f.unit)}` : kind === "at_least" ? `≥ ${withUnit(value, f.unit)}` : `≤ ${number(value)}× floor`;
  return [
    f.measure,
    withUnit(f.value, f.unit),
    f.floor === null ? "—" : `${withUnit(f.floor, f.unit)} (${f.floor_what})`,
    ratio === null ? "—" : `${number(ratio)}×`,
    target,
    met ? "met" : "NOT MET",
  ];
});
const header = ["Measure", "Figure", "Floor", "Ratio", "Target", ""];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
