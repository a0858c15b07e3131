/**
 * Defects found by the adversarial fuzzer, fixed (idle balances are put to work before every keeper action, the ripcord
 * and a poke; the health factor the vault decides on counts them as such). Original report:
 * Defect found by the adversarial fuzzer (issue 9; seed 20250909, TRIGGER-1): collateral the vault holds idle (sent to
 * it, not supplied on Aave) counts in its leverage (gross / equity) but not in Aave's health factor (supplied only).
 * After a donation of 60 WETH to a 100 WETH 3x vault and an 8% fall, HF is under the floor, so trigger() reports
 * DeleverHealth, but the vault's leverage (~2.5x with the idle WETH) is already under the action's 3x target:
 * `_deleverToward` does nothing and the post-condition reverts `KeeperLeverageNotImproved(2.5x, 2.5x, 3x)`. Every
 * keeper call fails (TRIGGER-1), and the ripcord aims at the same target: nothing restores the health factor, which
 * keeps falling with the price toward liquidation (the idle WETH does not protect the Aave position).
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { fund, oraclePriceE8, setMarketPrice } from "../shared/market-helpers";
import { parseUnits } from "ethers";
import { expectTriggerHonest } from "../security/helpers";

const idleCollateral3x = () => keeperWorld(PRESET_3X_FIXED, parseEther("100"));

describe("adversarial: defects found by the fuzzer, idle balances vs Aave's health factor (TRIGGER-1)", () => {
  /**
   * D2 (seed 20250909, 40 x 50 campaign, TRIGGER-1): 100,000 USDC sent to a 100 WETH 3x vault (~50 WETH of idle debt
   * asset) lowers the vault's leverage (gross / equity, idle USDC counted) to ~2x, under the band: trigger() reports
   * ReleverBand, and the re-lever to 3x borrows on a position whose Aave leverage is already 3x (the idle USDC is not
   * supplied nor used to repay): the post-condition reverts VaultHealthFactorTooLow(~1.1, 1.15). Every keeper call
   * fails while trigger() keeps reporting it.
   */
  it("D2: 100,000 USDC sent to a 100 WETH 3x vault: ReleverBand is due and rebalance() succeeds", async () => {
    const w = await loadFixture(idleCollateral3x);
    await fund(w.market, w.vault.target, { usdc: parseUnits("100000", 6) }); // anyone can send it
    // The donation is equity: with the idle USDC repaying debt first the vault is ~2x, under the band.
    const p = await w.vault.position();
    expect(p.leverage).to.be.lt(parseEther("2.7"));
    // Fails today: trigger() says ReleverBand, rebalance() reverts VaultHealthFactorTooLow(~1.1e18, 1.15e18).
    await expectTriggerHonest(w.vault, w.keeper, "after the USDC donation");
  });


  it("D1: 60 WETH sent to a 100 WETH 3x vault, ETH -8%: the trigger is honest and anyone's poke supplies the idle WETH", async () => {
    const w = await loadFixture(idleCollateral3x);
    await fund(w.market, w.vault.target, { weth: parseEther("60") }); // anyone can send it
    await setMarketPrice(w.market, ((await oraclePriceE8(w.market)) * 92n) / 100n);
    // Aave sees the position without the idle WETH: under the floor there.
    const aaveBefore = (await w.market.pool.getUserAccountData(w.vault.target)).healthFactor;
    expect(aaveBefore).to.be.lt(parseEther("1.15"));
    // The vault decides on the position with its idle balances put to work (supplied), as its actions do first.
    const p = await w.vault.position();
    expect(p.healthFactor).to.be.gt(aaveBefore);
    await expectTriggerHonest(w.vault, w.keeper, "after the donation and the fall", false);
    // Anyone may put the idle WETH to work; then Aave and the vault agree.
    await (await w.vault.connect(w.stranger).poke()).wait();
    expect(await w.market.weth.balanceOf(w.vault.target)).to.equal(0n);
    const aaveAfter = (await w.market.pool.getUserAccountData(w.vault.target)).healthFactor;
    expect(aaveAfter).to.be.closeTo((await w.vault.position()).healthFactor, parseEther("0.0001"));
    await expectTriggerHonest(w.vault, w.keeper, "after the poke");
  });
});
