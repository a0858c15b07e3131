/**
 * README.md quotes figures only from the reports the project writes (scripts/lib/docs/readme-figures.ts): every
 * `<!-- docs:NAME -->` block must equal what the reports give (`npm run docs` rewrites them). And `npm test` writes no
 * tracked report: the gas snapshot is compared within a tolerance, rewritten only on request.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { BLOCKS, ROOT, guardedFloorSummary, renderReadme, staleBlocks } from "../../scripts/lib/docs/readme-figures";
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
    const gas = JSON.parse(fs.readFileSync(path.join(ROOT, "reports", "gas.json"), "utf8")) as {
      operations: Record<string, { gas: number; guardedFloor: number }>;
    };
    expect(BLOCKS["gas-table"]()).to.include(gas.operations.ripcord.gas.toLocaleString("en-US"));
    expect(BLOCKS["gas-table"]()).to.include(`| ${gas.operations.ripcord.guardedFloor.toLocaleString("en-US")} |`);
    expect(BLOCKS["gas-table"]()).to.include(`The keeper deleverage's guarded floor is ${gas.operations.keeperDeleverage.guardedFloor.toLocaleString("en-US")} gas`);
    const scale = JSON.parse(fs.readFileSync(path.join(ROOT, "reports", "keeper-scale.json"), "utf8")) as { rpcCalls: number; batchSize: number };
    expect(BLOCKS["keeper-scale"]()).to.include(`**${scale.rpcCalls} JSON-RPC calls**`).and.include(`pages of ${scale.batchSize} vaults`);
    expect(BLOCKS.backtests()).to.match(/^\| data \(\d+ paths\) \|/m);
  });

  it("the guarded-floor sentence names the operations whose floor x 1.15 is below the guarded floor, and 500k", () => {
    const op = (floor: number, guardedFloor: number) => ({ gas: guardedFloor + 1, floor, guardedFloor });
    const ops = (deleverage: number) => ({
      deposit: op(100_000, 120_000), // 1.20 x floor: out of reach
      partialWithdrawal: op(100_000, 115_000), // exactly 1.15: within reach
      fullWithdrawal: op(100_000, 101_000),
      keeperDeleverage: op(400_000, deleverage),
      stopLossUnwind: op(100_000, 101_000),
      ripcord: op(100_000, 101_000),
    });
    const text = guardedFloorSummary([
      { venue: "Aave", name: "a", ops: ops(510_000) },
      { venue: "Morpho", name: "b", ops: ops(420_000) },
    ]);
    expect(text).to.include("for: deposit on all 2 pairs (guarded floor up to 1.20 x floor); keeper deleverage on a (Aave) (");
    expect(text).to.include("Within reach on every pair: partial withdrawal, full withdrawal, stop-loss unwind, ripcord.");
    expect(text).to.include("guarded floor is 510,000 gas on a (Aave) (420k-510k over the pairs) against the 500k budget: above it on a (Aave).");
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
