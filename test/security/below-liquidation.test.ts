import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Action, Mode, aaveHealthFactor, keeperWorld } from "../shared/keeper";
import { setMarketPrice } from "../shared/market-helpers";

const WAD = 10n ** 18n;

// Defect D3 of the adversarial suite: after a fall that takes the market's health factor below 1 before anyone
// acted, a deleverage chunk that withdraws collateral is refused by Aave (Error 35) unless it alone brings the
// position back above 1. The vault now acts as its own liquidator there, and exits say why they must wait.
// A wide band and no liquidator: only the keeper and the ripcord can act as the price falls. Trades of at most
// $20,000 (a deep position or a shallow pool): no one chunk brings HF back above 1 by itself (that takes ~$45k).
const world = () =>
  keeperWorld(
    { targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08, ripcordRewardBps: 10, ripcordRewardCap: 1, maxTradeSize: 20_000 },
    parseEther("100"),
  );

/** The same with a stop-loss at $1,700, crossed by the fall. */
const stopWorld = () =>
  keeperWorld(
    { targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08, maxTradeSize: 20_000, stopLossPrice: 1700 },
    parseEther("100"),
  );

/** The same with bob holding a tenth of the shares: alice's exit is partial. */
const sharedWorld = async () => {
  const w = await world();
  await (await w.vault.connect(w.bob)["deposit(uint256,address)"](parseEther("10"), w.bob.address)).wait();
  return w;
};

async function underwater(fixture: typeof world = world) {
  const w = await loadFixture(fixture);
  // Start at HF ~1.245 (3x, LT 83%): a 21% fall takes Aave's health factor to ~0.98 in one step.
  await setMarketPrice(w.market, 1580);
  const hf = await aaveHealthFactor(w.market, await w.vault.getAddress());
  expect(hf).to.be.lt(WAD);
  expect(hf).to.be.gt((95n * WAD) / 100n);
  return w;
}

describe("security: a position below the liquidation threshold (defect D3)", () => {
  it("what trigger() announces, rebalance() does: the vault liquidates its own debt and its health factor rises", async () => {
    const { vault, market, keeper } = await underwater();
    const before = await vault.position();
    const { needed, action } = await vault.trigger();
    expect(needed).to.equal(true);
    expect(action).to.equal(Action.DeleverHealth);
    await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    const after = await vault.position();
    expect(after.debt).to.be.lt(before.debt);
    expect(after.healthFactor).to.be.gt(before.healthFactor);
    // The liquidation bonus came back to the vault: equity lost at most the urgent slippage (3.75%) and the flash
    // premium on what was repaid.
    const repaid = before.debtValue - after.debtValue;
    expect(after.equityValue).to.be.gte(before.equityValue - (repaid * 381n) / 10_000n);
    expect(after.idleCollateral).to.equal(0n); // what the bonus left over is supplied again
  });

  it("with mainnet's protocol fee (10% of the bonus) the fee is the only cost beyond the swap, and in the loss budget", async () => {
    const { vault, market, keeper } = await underwater();
    await (await market.configurator.setLiquidationProtocolFee(await market.weth.getAddress(), 1000)).wait();
    const before = await vault.position();
    await expect(vault.connect(keeper).rebalance())
      .to.emit(market.pool, "LiquidationCall")
      .withArgs(await market.weth.getAddress(), await market.usdc.getAddress(), await vault.getAddress(), (d: bigint) => d > 0n, (c: bigint) => c > 0n, await vault.getAddress(), false);
    const after = await vault.position();
    const repaid = before.debtValue - after.debtValue;
    expect(after.healthFactor).to.be.gt(before.healthFactor);
    expect(after.equityValue).to.be.gte(before.equityValue - (repaid * (381n + 50n)) / 10_000n);
  });

  it("a deposit meanwhile reverts VaultPositionUnhealthy rather than the market's borrow check", async () => {
    const { vault, bob } = await underwater();
    await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address))
      .to.be.revertedWithCustomError(vault, "VaultPositionUnhealthy")
      .withArgs((hf: bigint) => hf < WAD);
  });

  it("once the equity is gone at oracle prices (bad debt), a deposit reverts VaultInsolvent and maxDeposit is 0", async () => {
    const { vault, market, bob } = await loadFixture(world);
    // 300 WETH of collateral against 400,000 USDC of debt: worth nothing at $1,300, and no liquidator came.
    await setMarketPrice(market, 1300);
    expect((await vault.position()).equityValue).to.equal(0n);
    expect(await vault.maxDeposit(bob.address)).to.equal(0n);
    await expect(vault.connect(bob)["deposit(uint256,address)"](parseEther("1"), bob.address)).to.be.revertedWithCustomError(
      vault,
      "VaultInsolvent",
    );
  });

  it("repeated keeper actions bring the market's health factor back above 1 and then the floor", async () => {
    const { vault, market, keeper } = await underwater();
    for (let i = 0; i < 12; i++) {
      const { needed } = await vault.trigger();
      if (!needed) break;
      await (await vault.connect(keeper).rebalance()).wait();
    }
    expect(await aaveHealthFactor(market, await vault.getAddress())).to.be.gte(WAD);
    expect((await vault.position()).healthFactor).to.be.gte((await vault.leverageConfig()).minHealthFactor);
  });

  it("a stop-loss crossed on the way down unwinds through the same own liquidation until the market lends again", async () => {
    const { vault, market, keeper } = await underwater(stopWorld);
    const { needed, action } = await vault.trigger();
    expect([needed, action]).to.deep.equal([true, Action.StopLoss]);
    const debtBefore = (await vault.position()).debt;
    await (await vault.connect(keeper).rebalance()).wait();
    expect((await vault.position()).debt).to.be.lt(debtBefore);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    for (let i = 0; i < 30 && (await vault.trigger()).needed; i++) await (await vault.connect(keeper).rebalance()).wait();
    expect((await vault.position()).debt).to.equal(0n);
    expect(await aaveHealthFactor(market, await vault.getAddress())).to.be.gte(WAD);
  });

  it("anyone's ripcord works below 1 as well, and pays its bounded reward", async () => {
    const { vault, stranger } = await underwater();
    const before = await vault.position();
    await expect(vault.connect(stranger).ripcord()).to.emit(vault, "RipcordRewardPaid");
    expect((await vault.position()).healthFactor).to.be.gt(before.healthFactor);
  });

  it("partial exits wait: maxWithdraw, maxRedeem and maxDeposit are 0 and redeem reverts VaultPositionUnhealthy", async () => {
    const { vault, alice, bob } = await underwater(sharedWorld);
    expect(await vault.maxRedeem(alice.address)).to.equal(0n);
    expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
    expect(await vault.maxDeposit(bob.address)).to.equal(0n);
    const shares = (await vault.balanceOf(alice.address)) / 2n;
    await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address))
      .to.be.revertedWithCustomError(vault, "VaultPositionUnhealthy")
      .withArgs((hf: bigint) => hf < WAD);
  });

  it("the last holder can still leave with everything: repaying all the debt first needs no health factor", async () => {
    const { vault, market, alice } = await underwater();
    const shares = await vault.balanceOf(alice.address);
    expect(shares).to.equal(await vault.totalSupply());
    expect(await vault.maxRedeem(alice.address)).to.equal(shares);
    const wethBefore = await market.weth.balanceOf(alice.address);
    await (await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).wait();
    expect(await market.weth.balanceOf(alice.address)).to.be.gt(wethBefore);
    expect((await vault.position()).debt).to.equal(0n);
  });
});
