/**
 * Per-kind facts the README's preset table and scripts/lib/deploy/presets.ts state, measured on the vault rather than
 * read from the preset's text:
 * - exposure per unit of equity: a 1 % move of the kind's reference price moves the equity by the stated multiple
 *   (eth-long-3x +3x ETH, eth-short-2x -1x ETH, i.e. "2x" is leverage on USDC and a rally is the adverse move,
 *   btc-long-2x +2x BTC, wsteth-loop +8x the wstETH/ETH rate measured in ETH) on every venue the kind runs on;
 * - amounts in the asset's own units in the tooling: `vault:deposit --amount` / `vault:withdraw --amount` move exactly
 *   that many tokens at the asset's decimals (USDC 6 for the short, WBTC 8 for btc-long-2x).
 * - the README's preset table (band, HF floor, pool fee tier) is what each kind's vault runs with;
 * - the short's take-profit, written in ETH/USD, fires on an ETH fall and not on a rally;
 * - the loop's health, leverage and trigger follow the wstETH/ETH rate, not ETH/USD;
 * - `vault:set-config` / `vault:pending` on btc-long-2x read and print WBTC amounts at 8 decimals, USDC at 6;
 * - `vault:status` (the task, as the README runs it) prints the loop's carry with the staking yield it needs, and the
 *   BTC vault's NAV and deposit cap in WBTC at 8 decimals.
 * (The short's stop firing on a rally and the loop's on a depeg: test/presets/lifecycle.test.ts, "an adverse move";
 * `vault:status`'s exposure and carry lines: the same file.)
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { KINDS, acceptAllPending, type PromiseWorld } from "./worlds";
import { collateralFor, fundLeg, getPreset, presetWorld } from "../shared/presets";
import { Action, Mode } from "../shared/keeper";
import { runTask } from "../shared/tasks";
import { advanceTimeAllFeeds, defaultReferencePrice, referencePrice, setReferencePrice } from "../../scripts/lib/market/reference-price";
import type { PresetName } from "../../scripts/lib/deploy/presets";
import fs from "node:fs";
import path from "node:path";

/** The README's preset table: for each preset, its band, HF floor and (when stated) pool fee tier. */
/** The README's preset table: band, HF floor (per venue where it says "X on Aave, Y on Morpho") and pool tier. */
function readmeTable(): Record<string, { min: number; max: number; floor: number; morphoFloor: number; fee?: number }> {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const rows: Record<string, { min: number; max: number; floor: number; morphoFloor: number; fee?: number }> = {};
  const row = /^\| `([a-z0-9-]+)` \|.*band ([\d.]+)x-([\d.]+)x, HF floor ([\d.]+)(?: on Aave, ([\d.]+) on Morpho)?(?:; ([\d.]+) % pool)?/gm;
  for (const m of readme.matchAll(row)) {
    const floor = Number(m[4]);
    rows[m[1]] = { min: Number(m[2]), max: Number(m[3]), floor, morphoFloor: m[5] ? Number(m[5]) : floor, fee: m[6] ? Math.round(Number(m[6]) * 10_000) : undefined };
  }
  return rows;
}

/** The vault's band, floor and fee tier as numbers. */
async function configOf(w: PromiseWorld) {
  const l = await w.vault.leverageConfig();
  return {
    min: Number(l.minLeverage) / 1e18,
    max: Number(l.maxLeverage) / 1e18,
    floor: Number(l.minHealthFactor) / 1e18,
    fee: Number((await w.vault.executionConfig()).swapFee),
  };
}

/** Equity change per unit of equity for a +1 of the reference price, in the numeraire the README states it in. */
const EXPOSURE: Record<PresetName, number> = { "eth-long-3x": 3, "eth-short-2x": -1, "btc-long-2x": 2, "wsteth-loop": 8 };

/** The vault's equity in the kind's numeraire: USD for the ETH and BTC kinds (the short's collateral is USDC), ETH for the loop. */
async function equity(w: PromiseWorld): Promise<number> {
  const assets = Number(await w.vault.totalAssets()) / 10 ** w.decimals.collateral;
  if (w.preset.direction === -1) return assets; // USDC
  const price = Number((await w.vault.position()).price) / 1e18; // debt (USDC or WETH) per collateral
  return assets * price;
}

describe("promises: each kind's documented exposure and units", function () {
  for (const kind of KINDS) {
    it(`${kind.label}: a 1 % rise of ${kind.preset.reference} moves equity by ${EXPOSURE[kind.preset.name]} % (the stated exposure)`, async function () {
      const w = await loadFixture(kind.fixture);
      const leverage = Number((await w.vault.position()).leverage) / 1e18;
      const before = await equity(w);
      const ref = await referencePrice(w.market, kind.preset.reference);
      await setReferencePrice(w.market, kind.preset.reference, ref * 1.01);
      const change = ((await equity(w)) / before - 1) * 100;
      // The stated multiple is at the target; the position sits within its band: expect direction x (L or L-1).
      const expected = kind.preset.direction === -1 ? -(leverage - 1) : leverage;
      expect(change, `leverage ${leverage}`).to.be.closeTo(expected, Math.abs(expected) * 0.05 + 0.02);
      expect(change).to.be.closeTo(EXPOSURE[kind.preset.name], Math.abs(EXPOSURE[kind.preset.name]) * 0.15);
    });
  }

  for (const name of ["eth-short-2x", "btc-long-2x"] as PresetName[]) {
    const kind = KINDS.find((k) => k.preset.name === name && k.venue === "aave")!;
    it(`${kind.label}: vault:deposit / vault:withdraw --amount are in the asset's own units (${name === "btc-long-2x" ? "WBTC, 8" : "USDC, 6"} decimals)`, async function () {
      const w = await loadFixture(kind.fixture);
      const [signer] = await hre.ethers.getSigners();
      const decimals = Number(await w.collateral.decimals());
      expect(decimals).to.equal(w.decimals.collateral).and.to.equal(name === "btc-long-2x" ? 8 : 6);
      const [inAmount, outAmount] = name === "btc-long-2x" ? ["0.01", "0.005"] : ["100", "40"];
      await fundLeg(w, "collateral", signer.address, parseUnits(inAmount, decimals));
      const held = await w.collateral.balanceOf(signer.address);
      const shares = await w.vault.balanceOf(signer.address);
      await runTask("vault:deposit", { vault: w.vault.target as string, amount: inAmount });
      expect(held - (await w.collateral.balanceOf(signer.address))).to.equal(parseUnits(inAmount, decimals));
      expect(await w.vault.balanceOf(signer.address)).to.be.gt(shares);
      const afterDeposit = await w.collateral.balanceOf(signer.address);
      await runTask("vault:withdraw", { vault: w.vault.target as string, amount: outAmount });
      expect((await w.collateral.balanceOf(signer.address)) - afterDeposit).to.equal(parseUnits(outAmount, decimals));
    });
  }

  it("vault:status on wsteth-loop prints its carry and break-even staking yield; on btc-long-2x NAV and cap in WBTC (8 decimals)", async function () {
    const loop = await loadFixture(KINDS.find((k) => k.preset.name === "wsteth-loop" && k.venue === "aave")!.fixture);
    const pool = loop.market.pool.target as string;
    const { result, output } = await runTask<{ carry?: { netApr: number; breakEvenStakingApr?: number } }>("vault:status", { vault: loop.vault.target as string, aavePool: pool });
    expect(output).to.match(/carry: .* a year on equity/).and.to.match(/loses money below a staking yield of/);
    expect(result.carry!.breakEvenStakingApr).to.be.a("number");

    const btc = await loadFixture(KINDS.find((k) => k.preset.name === "btc-long-2x")!.fixture);
    const status = await runTask("vault:status", { vault: btc.vault.target as string });
    const number = (label: RegExp) => Number(label.exec(status.output)![1].replace(/,/g, ""));
    const nav = number(/NAV \(totalAssets\)\W+([\d,.]+) WBTC/);
    // Printed to four places (truncated): WBTC at 8 decimals, not scaled as if it had 18.
    expect(nav).to.be.closeTo(Number(await btc.vault.totalAssets()) / 1e8, 1e-4).and.to.be.gt(0.1);
    expect(number(/deposit cap ([\d,.]+) WBTC/)).to.equal(Number((await btc.vault.executionConfig()).depositCap) / 1e8);
  });

  for (const kind of KINDS.filter((k) => k.preset.name === "wsteth-loop")) {
    it(`${kind.label}: reacts to the wstETH/ETH rate only: ETH/USD -20 % leaves HF, leverage and the trigger alone, equity ~+1x ETH in USD`, async function () {
      const w = await loadFixture(kind.fixture);
      const before = await w.vault.position();
      const eth = await referencePrice(w.market, "ETH/USD");
      await setReferencePrice(w.market, "ETH/USD", eth * 0.8);
      const after = await w.vault.position();
      expect(after.healthFactor).to.be.closeTo(before.healthFactor, before.healthFactor / 10n ** 6n);
      expect(after.leverage).to.be.closeTo(before.leverage, before.leverage / 10n ** 6n);
      expect((await w.vault.trigger()).needed).to.equal(false);
      // equityValue is wad USD: ~ -20 % with ETH (a +1x ETH exposure), not 8 x 20 %.
      expect(Number(after.equityValue) / Number(before.equityValue)).to.be.closeTo(0.8, 0.005);
    });
  }

  it("btc-long-2x: vault:set-config amounts are in WBTC (8 decimals) and USDC (6): the README's keeper-pay line, a deposit cap, a trade size", async function () {
    const w = await loadFixture(KINDS.find((k) => k.preset.name === "btc-long-2x")!.fixture);
    const vault = w.vault.target as string;
    const signer = w.manager.address;
    await runTask("vault:set-config", { vault, signer, kind: "keeper-pay", set: "multiplierBps=12000,maxGasPrice=50000000000,maxPerAction=0.01,maxPerDay=0.2" });
    await runTask("vault:set-config", { vault, signer, kind: "execution", set: "depositCap=750" });
    // A deposit cap applies at once (not a loosening ROLE-2 holds back): 750 WBTC.
    expect((await w.vault.executionConfig()).depositCap).to.equal(750n * 10n ** 8n);
    await runTask("vault:set-config", { vault, signer, kind: "automation", set: "maxTradeSize=100000.5,ripcordRewardCap=0.03" });
    const { output } = await runTask("vault:pending", { vault });
    expect(output).to.match(/maxPerAction=0\.01\b/).and.to.match(/maxPerDay=0\.2\b/).and.to.match(/ripcordRewardCap=0\.03\b/);
    await acceptAllPending(w);
    const pay = await w.vault.keeperPayConfig();
    expect([pay.maxPerAction, pay.maxPerDay]).to.deep.equal([1_000_000n, 20_000_000n]); // 0.01 and 0.2 WBTC
    const automation = await w.vault.automationConfig();
    expect([automation.maxTradeSize, automation.ripcordRewardCap]).to.deep.equal([100_000_500_000n, 3_000_000n]); // USDC, WBTC
  });

  it("the README's preset table: each kind runs with the band, pool fee tier and (on Aave) HF floor its row states", async function () {
    const table = readmeTable();
    expect(Object.keys(table)).to.deep.equal(["eth-long-3x", "eth-short-2x", "btc-long-2x", "wsteth-loop"]);
    for (const kind of KINDS) {
      const row = table[kind.preset.name];
      const c = await configOf(await loadFixture(kind.fixture));
      expect([c.min, c.max], kind.label).to.deep.equal([row.min, row.max]);
      if (row.fee !== undefined) expect(c.fee, kind.label).to.equal(row.fee);
      if (kind.venue === "aave") expect(c.floor, kind.label).to.equal(row.floor);
    }
  });
});

/** eth-short-2x with a take-profit at ETH/USD 90 % of the start, alice and bob in. */
async function shortTakeProfitWorld() {
  const w = await presetWorld(getPreset("eth-short-2x"), { takeProfit: defaultReferencePrice("ETH/USD") * 0.9 });
  const amount = await collateralFor(w, 20_000);
  for (const user of [w.alice, w.bob]) await (await w.vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
  return w;
}

describe("promises: the short's take-profit is an ETH fall", function () {
  it("eth-short-2x: a take-profit written as ETH/USD 90 % does not fire on a rally, fires on a fall to it; ProfitTaken, debt repaid", async function () {
    const w = await loadFixture(shortTakeProfitWorld);
    await advanceTimeAllFeeds(w.market, 3600);
    await setReferencePrice(w.market, "ETH/USD", w.start * 1.08);
    expect((await w.vault.trigger()).action).to.not.equal(Action.TakeProfit);
    await advanceTimeAllFeeds(w.market, 3600);
    await setReferencePrice(w.market, "ETH/USD", w.start * 0.89);
    expect((await w.vault.trigger()).action).to.equal(Action.TakeProfit);
    for (let i = 0; i < 6 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
    expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    expect(await w.debtOf()).to.equal(0n);
  });
});

// Once a defect: the README gave the loop's Aave floor (1.06) for Morpho too, where the preset's is 1.055.
describe("promises: the README's HF floor of each kind on Morpho", function () {
  it("every kind on Morpho runs with the HF floor its README row states", async function () {
    const table = readmeTable();
    for (const kind of KINDS.filter((k) => k.venue === "morpho")) {
      const c = await configOf(await loadFixture(kind.fixture));
      expect(c.floor, kind.label).to.equal(table[kind.preset.name].morphoFloor);
    }
  });
});

// Once a defect: vault:status read the carry from an Aave pool only; it reads the vault's own venueRates now.
describe("promises: vault:status shows the loop's carry on Morpho", function () {
  it("wsteth-loop on morpho: vault:status prints the carry and the break-even staking yield", async function () {
    const w = await loadFixture(KINDS.find((k) => k.preset.name === "wsteth-loop" && k.venue === "morpho")!.fixture);
    const { output } = await runTask("vault:status", { vault: w.vault.target as string });
    expect(output).to.include("exposure per unit of equity");
    expect(output).to.match(/carry: .* a year on equity/).and.to.match(/loses money below a staking yield of/);
  });
});
