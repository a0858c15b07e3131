/**
 * README.md quotes figures only from the reports the project writes (scripts/lib/docs/readme-figures.ts): every
 * `<!-- docs:NAME -->` block must equal what the reports give (`npm run docs` rewrites them). And `npm test` writes no
 * tracked report: the gas snapshot is compared within a tolerance, rewritten only on request.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { BLOCKS, ROOT, renderReadme, staleBlocks } from "../../scripts/lib/docs/readme-figures";
import { gasDrift, gasTolerance } from "../shared/gas";

describe("docs cannot drift", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("README.md has a block for every report figure, and each equals what the reports give (npm run docs)", () => {
    expect(renderReadme(readme).missing).to.deep.equal([]);
    const stale = staleBlocks(readme).map((b) => `${b.name}:\n  README:  ${b.readme.trim()}\n  reports: ${b.reports.trim()}`);
    expect(stale, `run \`npm run docs\`:\n${stale.join("\n")}`).to.deep.equal([]);
  });

  it("the blocks carry the reports' numbers (sizes, gas, keeper scale, backtests)", () => {
    const sizes = JSON.parse(fs.readFileSync(path.join(ROOT, "reports", "sizes.json"), "utf8")) as { bytes: Record<string, number> };
    expect(BLOCKS.sizes()).to.include(sizes.bytes.AaveUniswapLeverageVault.toLocaleString("en-US"));
    const gas = JSON.parse(fs.readFileSync(path.join(ROOT, "reports", "gas.json"), "utf8")) as { operations: Record<string, { gas: number }> };
    expect(BLOCKS["gas-table"]()).to.include(gas.operations.ripcord.gas.toLocaleString("en-US"));
    const scale = JSON.parse(fs.readFileSync(path.join(ROOT, "reports", "keeper-scale.json"), "utf8")) as { rpcCalls: number; batchSize: number };
    expect(BLOCKS["keeper-scale"]()).to.include(`**${scale.rpcCalls} JSON-RPC calls**`).and.include(`pages of ${scale.batchSize} vaults`);
    expect(BLOCKS.backtests()).to.match(/^\| data \(\d+ paths\) \|/m);
  });

  it("a stale figure is caught: a README with an edited number fails the check", () => {
    const edited = readme.replace(/(<!-- docs:keeper-scale -->[\s\S]*?)\*\*(\d+) JSON-RPC calls\*\*/, (_, head: string, n: string) => `${head}**${Number(n) + 1} JSON-RPC calls**`);
    expect(edited).to.not.equal(readme);
    expect(staleBlocks(edited).map((b) => b.name)).to.deep.equal(["keeper-scale"]);
  });

  it("gas snapshot: compared within max(25k, 5 %), never written by a plain test run", () => {
    expect(gasTolerance(500_000)).to.equal(25_000);
    expect(gasTolerance(4_000_000)).to.equal(200_000);
    const snapshot = { a: 500_000, b: 500_000 };
    expect(gasDrift(snapshot, new Map([["a", 520_000], ["b", 530_000], ["new", 1]]))).to.deep.equal(["b: 500000 -> 530000"]);
  });
});
