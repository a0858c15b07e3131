import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, Action } from "../shared/keeper";
import { setMarketPrice } from "../shared/market-helpers";
import { plain } from "../shared/structs";

const WAD = 10n ** 18n;

/**
 * DESIGN rule 3: a cap may refuse only what makes things worse, so a deleverage from an over-limit state always goes
 * through. The loss budget is a share of what an action trades, not of equity: delevering a thin, over-levered
 * position trades several times its equity, and a budget in equity terms would refuse it (the backtester hit this
 * on Black Thursday, and the position was liquidated instead).
 */
describe("scenario: emergency deleverage of a thin, over-levered position", () => {
  const thin3x = () =>
    keeperWorld({
      targetLeverage: 3,
      minLeverage: 2.7,
      maxLeverage: 4.5,
      minHealthFactor: 1.1,
      criticalHealthFactor: 1.05,
      swapFee: 3000, // the thinner 0.3% pool: ~0.35% lost per unit traded
      maxSlippageBps: 60,
      maxEquityLossBps: 70, // >= slippage + the 5 bps flash premium, as the vault requires
    }, parseEther("20"));

  it("goes through although it costs more than the loss bound in equity terms, and restores health", async () => {
    const { vault, market, keeper } = await loadFixture(thin3x);
    await setMarketPrice(market, 1675); // leverage ~4.9, HF ~1.04
    const before = await vault.position();
    expect(before.leverage).to.be.gt((48n * WAD) / 10n);
    expect((await vault.trigger()).action).to.equal(Action.DeleverHealth);

    // Chunks sized to the slippage room of the thin pool; each held to the budget per unit traded.
    for (let i = 0; i < 10 && (await vault.trigger()).needed; i++) await vault.connect(keeper).rebalance();

    const after = await vault.position();
    const loss = before.equityValue - after.equityValue;
    const traded = before.debtValue - after.debtValue;
    const { maxEquityLossBps } = await vault.automationConfig();
    // More than 0.5% of equity: an equity-based budget would have refused this deleverage...
    expect(loss * 10_000n).to.be.gt(before.equityValue * maxEquityLossBps);
    // ...but within 0.5% of what was traded, the budget it is held to.
    expect(loss * 10_000n).to.be.lte(traded * maxEquityLossBps);
    expect(after.healthFactor).to.be.gt((await vault.leverageConfig()).minHealthFactor);
    expect(after.leverage).to.be.closeTo(3n * WAD, WAD / 20n);
  });

  it("refuses a loss budget below what the slippage and the flash premium allow (the post-condition could not hold)", async () => {
    const { vault } = await loadFixture(thin3x);
    await expect(vault.setAutomationConfig({ ...plain(await vault.automationConfig()), maxEquityLossBps: 50 }))
      .to.be.revertedWithCustomError(vault, "KeeperInvalidAutomationConfig");
  });
});
