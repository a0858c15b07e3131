/**
 * RIPCORD-1 (second review, findings 5 and 8): the ripcord's reward is linear in the debt the call repaid, at most
 * `ripcordRewardBps` of it and `ripcordRewardCap` for a full `maxTradeSize` chunk pro rata, so slivers never earn
 * more than one call for the same debt; below a market health factor of 1 it is paid out of the liquidation bonus
 * left idle, so the ripcord goes through whenever UNHEALTHY-1 says it does.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, mine, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { aaveHealthFactor, keeperWorld } from "../shared/keeper";
import { movePoolOnly, setMarketPrice } from "../shared/market-helpers";

const WAD = 10n ** 18n;
const BPS = 10_000n;

/** Wide band, a 500 bps loss bound (valid), a 1 % reward: the review's farming set-up. */
const farmingWorld = () =>
  keeperWorld(
    {
      targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08,
      maxEquityLossBps: 500, ripcordRewardBps: 100, ripcordRewardCap: 5, maxTradeSize: 100_000,
    },
    parseEther("100"),
  );

/** The same with trades of at most 10,000 USDC: no one chunk lifts a position under HF 1 back above it. */
const underwaterWorld = () =>
  keeperWorld(
    {
      targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.15, criticalHealthFactor: 1.08,
      ripcordRewardBps: 100, ripcordRewardCap: 10, maxTradeSize: 10_000,
    },
    parseEther("100"),
  );

/** One ripcord from `caller`: the reward (collateral units) and the debt it repaid (debt units). */
async function ripcordOnce(w: Awaited<ReturnType<typeof farmingWorld>>) {
  const { vault, market, stranger } = w;
  const debtBefore = (await vault.position()).debt;
  const wethBefore: bigint = await market.weth.balanceOf(stranger.address);
  await (await vault.connect(stranger).ripcord()).wait();
  const reward = (await market.weth.balanceOf(stranger.address)) - wethBefore;
  return { reward, repaid: debtBefore - (await vault.position()).debt };
}

describe("security: RIPCORD-1, a reward per debt repaid", () => {
  it("one ripcord is paid ripcordRewardBps of the debt value it repaid (or the cap pro rata), in collateral", async () => {
    const w = await loadFixture(farmingWorld);
    await setMarketPrice(w.market, 1700);
    const { price } = await w.vault.position();
    const { reward, repaid } = await ripcordOnce(w);
    expect(repaid).to.be.gt(0n);
    const config = await w.vault.automationConfig();
    const byBps = (repaid * 10n ** 12n * BigInt(config.ripcordRewardBps)) / BPS; // wad USD (USDC has 6 decimals)
    const byCap = (config.ripcordRewardCap * price * repaid) / WAD / config.maxTradeSize;
    const expected = ((byBps < byCap ? byBps : byCap) * WAD) / price;
    expect(reward).to.be.closeTo(expected, expected / 10_000n + 10n);
  });

  it("finding 8: slivers forced by a pool pushed to the edge of the bound earn no more per debt than one call", async () => {
    const w = await loadFixture(farmingWorld);
    await setMarketPrice(w.market, 1700);
    const snapshot = await takeSnapshot();
    const single = await ripcordOnce(w);
    await snapshot.restore();
    // The attacker keeps the pool just inside the urgent deviation bound: each ripcord's chunk is a sliver.
    const [, deviation] = await w.vault.healthActionBounds();
    await movePoolOnly(w.market, -(Number(deviation) - 8));
    await mine();
    let rewards = 0n;
    let repaid = 0n;
    for (let i = 0; i < 8; i++) {
      const armed = await w.vault.connect(w.stranger).ripcord.staticCall().then(() => true, () => false);
      if (!armed) break;
      const sliver = await ripcordOnce(w);
      expect(sliver.repaid, "a sliver").to.be.lt(single.repaid);
      rewards += sliver.reward;
      repaid += sliver.repaid;
    }
    expect(repaid).to.be.gt(0n);
    // Reward per unit of debt repaid: the slivers' is at most the single call's (1e-6 for rounding).
    expect(rewards * single.repaid * 1_000_000n).to.be.lte(single.reward * repaid * 1_000_001n + single.repaid * 1_000_000n);
  });

  it("finding 5: below HF 1 with a reward above the bonus left idle, the ripcord still goes through, paid from the bonus", async () => {
    const w = await loadFixture(underwaterWorld);
    // Mainnet's protocol fee (10 % of the bonus) and a pool 3.4 % under the oracle (inside the urgent 375 bps
    // bound): the bonus left idle after returning the loan is below 1 % of the debt repaid, the reward's rate.
    await (await w.market.configurator.setLiquidationProtocolFee(await w.market.weth.getAddress(), 1000)).wait();
    await setMarketPrice(w.market, 1580);
    await movePoolOnly(w.market, -340);
    await mine();
    const vaultAddress = await w.vault.getAddress();
    const hfBefore = await aaveHealthFactor(w.market, vaultAddress);
    expect(hfBefore).to.be.lt(WAD);
    const before = await w.vault.position();
    const wethBefore: bigint = await w.market.weth.balanceOf(w.stranger.address);
    await expect(w.vault.connect(w.stranger).ripcord()).to.emit(w.vault, "RipcordRewardPaid");
    const reward = (await w.market.weth.balanceOf(w.stranger.address)) - wethBefore;
    const after = await w.vault.position();
    // The uncapped reward (1 % of the debt value repaid) was more than the bonus left: it was capped to it.
    const uncapped = ((before.debt - after.debt) * 10n ** 12n * 100n * WAD) / BPS / before.price;
    expect(reward).to.be.gt(0n);
    expect(reward, "capped to the idle bonus").to.be.lt(uncapped);
    expect(await aaveHealthFactor(w.market, vaultAddress)).to.be.gt(hfBefore);
    expect(after.idleCollateral).to.equal(0n);
  });
});
