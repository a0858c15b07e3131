import hre from "hardhat";
import { expect } from "chai";
import { plain } from "../shared/structs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld } from "../shared/keeper";
import { setMarketPrice } from "../shared/market-helpers";
import { recordGas } from "../shared/gas";
import { acceptPending } from "../shared/timelock";

const WAD = 10n ** 18n;
const BPS = 10_000n;

// Wide band, so that only the ripcord (no keeper) is in play as the price falls.
const ripcordWorld = () =>
  keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08, ripcordRewardBps: 10, ripcordRewardCap: 1 });

describe("ripcord: permissionless emergency deleverage with a bounded reward", () => {
  async function armed() {
    const world = await loadFixture(ripcordWorld);
    await setMarketPrice(world.market, 1700); // HF ~1.06 < 1.08
    expect((await world.vault.position()).healthFactor).to.be.lt((await world.vault.automationConfig()).criticalHealthFactor);
    return world;
  }

  it("pays the caller ripcordRewardBps of the debt value it repaid (RIPCORD-1), and restores health", async () => {
    const { vault, market, stranger } = await armed();
    const before = await vault.position();
    const wethBefore = await market.weth.balanceOf(stranger.address);
    const receipt = await recordGas("keeper.ripcord 3x", vault.connect(stranger).ripcord());
    const paid = (await market.weth.balanceOf(stranger.address)) - wethBefore;
    const after = await vault.position();
    // 10 bps of the debt value repaid (USDC at $1, 6 decimals), converted at the oracle price.
    const repaidValue = (before.debt - after.debt) * 10n ** 12n;
    const expected = (((repaidValue * 10n) / BPS) * WAD) / before.price;
    expect(paid).to.be.closeTo(expected, expected / 1_000n);
    expect(paid).to.be.lt(WAD); // under the 1 WETH cap
    await expect(receipt).to.not.be.undefined;
    expect(after.healthFactor).to.be.gt(before.healthFactor);
    expect(after.leverage).to.be.closeTo(3n * WAD, WAD / 50n);
  });

  it("caps the reward at ripcordRewardCap for a full maxTradeSize chunk, pro rata below", async () => {
    const { vault, market, stranger } = await armed();
    const cap = WAD / 1000n; // 0.001 WETH per full chunk, below 10 bps of it
    await (await vault.setAutomationConfig({ ...plain(await vault.automationConfig()), ripcordRewardCap: cap })).wait();
    await acceptPending(vault, market);
    const before = await vault.position();
    const wethBefore = await market.weth.balanceOf(stranger.address);
    await expect(vault.connect(stranger).ripcord()).to.emit(vault, "RipcordRewardPaid");
    const paid = (await market.weth.balanceOf(stranger.address)) - wethBefore;
    const repaid = before.debt - (await vault.position()).debt;
    const expected = (cap * repaid) / (await vault.automationConfig()).maxTradeSize;
    expect(paid).to.be.closeTo(expected, expected / 1_000n + 1n);
    expect(paid).to.be.lte(cap);
  });

  it("works only below the critical health factor", async () => {
    const { vault, market, stranger } = await loadFixture(ripcordWorld);
    await setMarketPrice(market, 1800);
    const { healthFactor } = await vault.position();
    const critical = (await vault.automationConfig()).criticalHealthFactor;
    expect(healthFactor).to.be.gte(critical);
    await expect(vault.connect(stranger).ripcord())
      .to.be.revertedWithCustomError(vault, "KeeperRipcordNotArmed")
      .withArgs((hf: bigint) => hf >= critical, critical);
  });

  it("cannot be called on the module contract itself", async () => {
    const { module, stranger } = await armed();
    const emergency = await hre.ethers.getContractAt("AaveUniswapEmergencyModule", await module.EMERGENCY_MODULE());
    await expect(emergency.connect(stranger).ripcord()).to.be.revertedWithCustomError(emergency, "KeeperNotDelegated");
  });
});
