/**
 * Issue 8, finding 7: one wei jams the automation. After a stop into USDC, dust of WETH (or aWETH) sent to the
 * vault made trigger(), checkUpkeep() and checker() report StopLoss forever while every rebalance() reverted.
 * Class: no dust of the collateral, the debt asset, the aToken, or debt repaid on the vault's behalf makes the
 * views report an action that rebalance() cannot do, and the upkeep does not stay "needed" forever.
 */
import { expect } from "chai";
import { MaxUint256, parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, keeper3x, Mode, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { fund, setMarketPrice } from "../shared/market-helpers";
import { expectTriggerHonest } from "./helpers";

type Dust = "WETH" | "USDC" | "aWETH" | "repay";

/** Sends `amount` raw units of dust to the vault the way anyone could. */
async function sendDust(w: KeeperWorld, kind: Dust, amount: bigint): Promise<void> {
  const { market, vault, stranger } = w;
  if (kind === "WETH") return fund(market, vault, { weth: amount });
  if (kind === "USDC") return fund(market, vault, { usdc: amount });
  if (kind === "aWETH") {
    // Supplied on the vault's behalf: the vault's aWETH balance grows by `amount` (Aave rounds the scaled amount).
    await fund(market, stranger.address, { weth: amount });
    await (await market.weth.connect(stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
    await (await market.pool.connect(stranger).supply(market.weth.target, amount, vault.target, 0)).wait();
    return;
  }
  // Debt repaid on the vault's behalf.
  await fund(market, stranger.address, { usdc: amount });
  await (await market.usdc.connect(stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
  await (await market.pool.connect(stranger).repay(market.usdc.target, amount, 2, vault.target)).wait();
}

/** TRIGGER-1 until nothing is due (at most 4 rounds): the upkeep must not stay "needed" forever. */
async function expectAutomationSettles(w: KeeperWorld, label: string): Promise<string[]> {
  const actions: string[] = [];
  for (let round = 0; round < 4; round++) {
    const { needed, name } = await expectTriggerHonest(w.vault, w.keeper, `${label}, round ${round}`);
    if (!needed) return actions;
    actions.push(name);
  }
  expect.fail(`${label}: still due after 4 rebalances (${actions.join(", ")})`);
}

/** Stop-loss at $1,950 into the debt asset, run to the end: the vault holds only USDC. */
const stoppedIntoUsdc = async () => {
  const w = await keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1950, stopToDebtAsset: true });
  await setMarketPrice(w.market, 1950);
  for (let i = 0; i < 10 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
  return w;
};
/** Stop-loss at $1,950, holding 1x WETH. */
const stoppedAt1x = async () => {
  const w = await keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1950 });
  await setMarketPrice(w.market, 1950);
  for (let i = 0; i < 10 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
  return w;
};

describe("security: dust cannot jam the automation (finding 7, TRIGGER-1)", () => {
  it("the fixture: stopped out into USDC, nothing left to do", async () => {
    const w = await loadFixture(stoppedIntoUsdc);
    const p = await w.vault.position();
    expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
    expect(p.debt + p.collateral + p.idleCollateral).to.equal(0n);
    expect(p.idleDebtAsset).to.be.gt(0n);
    expect((await w.vault.trigger()).needed).to.equal(false);
  });

  // 1 wei .. 2e10 wei of WETH is worth less than ~40 raw units of USDC at $1,950: dust.
  for (const [kind, amount] of [
    ["WETH", 1n], ["WETH", 10n ** 6n], ["WETH", 2n * 10n ** 10n],
    ["aWETH", 1n], ["aWETH", 2n * 10n ** 10n],
    ["USDC", 1n], ["USDC", 100n],
  ] as [Dust, bigint][]) {
    it(`stopped into USDC, ${amount} raw ${kind} sent: the views report only what rebalance() can do`, async () => {
      const w = await loadFixture(stoppedIntoUsdc);
      await sendDust(w, kind, amount);
      await expectAutomationSettles(w, `${amount} ${kind}`);
      expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
    });
  }

  it("stopped into USDC, 0.01 WETH sent (not dust): the stop sells it, then nothing is due", async () => {
    const w = await loadFixture(stoppedIntoUsdc);
    await sendDust(w, "WETH", parseEther("0.01"));
    const actions = await expectAutomationSettles(w, "0.01 WETH");
    expect(actions).to.deep.equal(["StopLoss"]);
    expect(await w.market.weth.balanceOf(w.vault.target), "sold, at most dust left").to.be.lte(10n ** 10n);
  });

  it("the class in other states: levered and idle, stopped at 1x; each dust kind", async () => {
    const cases: [string, () => Promise<KeeperWorld>, Dust, bigint][] = [];
    for (const [kind, amount] of [["WETH", 1n], ["WETH", 10n ** 10n], ["USDC", 1n], ["USDC", 100n], ["aWETH", 1n], ["repay", 1n], ["repay", 100n]] as [Dust, bigint][]) {
      cases.push(["3x, nothing due", keeper3x, kind, amount]);
    }
    for (const [kind, amount] of [["WETH", 1n], ["USDC", 1n], ["aWETH", 1n]] as [Dust, bigint][]) {
      cases.push(["stopped out at 1x", stoppedAt1x, kind, amount]);
    }
    for (const [state, fixture, kind, amount] of cases) {
      const w = await loadFixture(fixture);
      expect((await w.vault.trigger()).needed, `${state}: before the dust`).to.equal(false);
      await sendDust(w, kind, amount);
      await expectAutomationSettles(w, `${state}, ${amount} raw ${kind}`);
    }
  });
});
