/**
 * `npm run docs`: rewrites every README.md block that quotes a report (scripts/lib/docs/readme-figures.ts) from the
 * reports the project writes. `npm run docs -- --check` changes nothing and exits 1 naming each block that differs
 * (test/scripts/docs.test.ts runs the same check in `npm test`).
 * The reports themselves: `UPDATE_REPORTS=1 npx hardhat test test/sizes.test.ts` (sizes), `npm run bench:gas`,
 * `npm run bench:keepers`, `npm run backtest:all -- <folder> --out reports/backtest/<folder>`.
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT, renderReadme, staleBlocks } from "./lib/docs/readme-figures";

const README = path.join(ROOT, "README.md");
const readme = fs.readFileSync(README, "utf8");
const { text, missing } = renderReadme(readme);
if (missing.length) {
  console.error(`README.md has no <!-- docs:NAME --> block for: ${missing.join(", ")}`);
  process.exit(1);
}
const stale = staleBlocks(readme);
if (process.argv.includes("--check")) {
  for (const block of stale) console.error(`README.md block '${block.name}' differs from the reports:\n  README:  ${block.readme.trim()}\n  reports: ${block.reports.trim()}`);
  if (stale.length) {
    console.error("run `npm run docs` to rewrite them");
    process.exit(1);
  }
  console.log("README.md agrees with the reports");
} else {
  fs.writeFileSync(README, text);
  console.log(stale.length ? `README.md: rewrote ${stale.map((b) => b.name).join(", ")}` : "README.md already agrees with the reports");
}
