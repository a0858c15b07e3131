import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, Action, setFeed } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { movePoolOnly, setMarketPrice } from "../shared/market-helpers";

const WAD = 10n ** 18n;
const E8 = 10n ** 8n;
/** 75% of the WETH reserve's 5% liquidation bonus: the widest a health deleverage may go (bps). */
const URGENT_CAP = 375n;

/**
 * Urgency-scaled execution (issue 10): below the HF floor a health deleverage (and the ripcord) may use slippage and
 * DEX-deviation bounds that widen linearly from the configured ones at the floor to 75% of the liquidation bonus at
 * the critical HF. Band rebalances keep the tight bounds. 3x preset: floor 1.15, critical 1.08, bounds 100 bps.
 */
describe("keeper: urgency-scaled bounds for health deleverages", () => {
  const world = () => keeperWorld({ ...PRESET_3X_FIXED, maxLeverage: 4.5 });

  /** Moves only the feed (the pool follows later) until HF is at `target` or just under it. */
  async function feedForHealth(w: Awaited<ReturnType<typeof world>>, target: bigint): Promise<bigint> {
    let lo = 1500n * E8;
    let hi = 2000n * E8;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      await setFeed(w.market, mid);
      if ((await w.vault.position()).healthFactor < target) lo = mid;
      else hi = mid;
    }
    await setFeed(w.market, lo);
    return (await w.vault.position()).healthFactor;
  }

  it("are the configured bounds at and above the floor", async () => {
    const w = await loadFixture(world);
    const [slippage, deviation] = await w.vault.healthActionBounds();
    expect([slippage, deviation]).to.deep.equal([100n, 100n]);
    const floor = (await w.vault.leverageConfig()).minHealthFactor;
    const hf = await feedForHealth(w, floor + 10n ** 15n); // just above the floor
    expect(hf).to.be.gte(floor);
    expect(await w.vault.healthActionBounds()).to.deep.equal([100n, 100n]);
  });

  it("widen linearly with urgency below the floor, to 75% of the liquidation bonus at the critical HF and below", async () => {
    const w = await loadFixture(world);
    const floor = (await w.vault.leverageConfig()).minHealthFactor;
    const critical = (await w.vault.automationConfig()).criticalHealthFactor;
    const mid = (floor + critical) / 2n;
    const hf = await feedForHealth(w, mid);
    const urgency = ((floor - hf) * WAD) / (floor - critical);
    const expected = 100n + ((URGENT_CAP - 100n) * urgency) / WAD;
    const [slippage, deviation] = await w.vault.healthActionBounds();
    expect(slippage).to.be.closeTo(expected, 1n);
    expect(deviation).to.be.closeTo(expected, 1n);
    expect(slippage).to.be.gt(100n).and.lt(URGENT_CAP);

    await feedForHealth(w, critical);
    expect(await w.vault.healthActionBounds()).to.deep.equal([URGENT_CAP, URGENT_CAP]);
    await setFeed(w.market, 1500n * E8); // far below critical: capped
    expect(await w.vault.healthActionBounds()).to.deep.equal([URGENT_CAP, URGENT_CAP]);
  });

  it("let a health deleverage trade against a pool that leads the oracle down beyond the tight bound", async () => {
    const w = await loadFixture(world);
    const critical = (await w.vault.automationConfig()).criticalHealthFactor;
    await feedForHealth(w, critical + 5n * 10n ** 15n); // HF ~1.085: urgent, the ripcord not yet armed
    await setMarketPrice(w.market, await w.market.ethUsdFeed.latestAnswer()); // pools to the oracle
    await movePoolOnly(w.market, -150); // the pool 1.5% under the oracle: outside the configured 1%
    await setFeed(w.market, await w.market.ethUsdFeed.latestAnswer()); // a later block than the swap
    const due = await w.vault.trigger();
    expect([due.needed, due.action]).to.deep.equal([true, Action.DeleverHealth]);
    const before = await w.vault.position();
    await (await w.vault.connect(w.keeper).rebalance()).wait();
    const after = await w.vault.position();
    expect(after.healthFactor).to.be.gt(before.healthFactor);
    expect(after.leverage).to.be.lt(before.leverage);
  });

  it("leave band rebalances on the tight bounds: the same pool refuses a band deleverage", async () => {
    const w = await loadFixture(world);
    // Leverage above the 4.5x band top is not reachable above the floor here, so take a tighter band instead.
    const tight = await keeperWorld({ ...PRESET_3X_FIXED, maxLeverage: 3.3 });
    await setMarketPrice(tight.market, 1900); // leverage ~3.35 above 3.3, HF ~1.18 above the floor
    const p = await tight.vault.position();
    expect(p.healthFactor).to.be.gt((await tight.vault.leverageConfig()).minHealthFactor);
    await movePoolOnly(tight.market, -150);
    await setFeed(tight.market, await tight.market.ethUsdFeed.latestAnswer());
    const due = await tight.vault.trigger();
    expect([due.needed, due.action]).to.deep.equal([false, Action.DeleverBand]);
    await expect(tight.vault.connect(tight.keeper).rebalance()).to.be.revertedWithCustomError(tight.vault, "KeeperDexDeviation");
    expect(await w.vault.healthActionBounds()).to.deep.equal([100n, 100n]);
  });

  it("let the ripcord through a pool 3% under the oracle below the critical HF", async () => {
    const w = await loadFixture(world);
    await setMarketPrice(w.market, 1700);
    expect((await w.vault.position()).healthFactor).to.be.lt((await w.vault.automationConfig()).criticalHealthFactor);
    await movePoolOnly(w.market, -300);
    await setFeed(w.market, 1700n * E8);
    const before = await w.vault.position();
    await (await w.vault.connect(w.stranger).ripcord()).wait();
    expect((await w.vault.position()).healthFactor).to.be.gt(before.healthFactor);
  });
});
