import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, Action, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X, PRESET_3X_FIXED } from "../shared/vault";
import { setMarketPrice } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { ChangeKind } from "../shared/timelock";

const WAD = 10n ** 18n;

/**
 * Volatility-aware leverage (issue 10): the effective target falls so that a k-sigma fall over the horizon cannot take
 * HF below 1, sigma read from the collateral feed's own last rounds. PRESET_3X (the 3x preset): 3 sigma, 6 h, 8 rounds,
 * floor 1.5x; liquidation threshold 83%.
 */
const plain3x = () => keeperWorld(PRESET_3X_FIXED);

describe("keeper: volatility-aware leverage", () => {
  const volatile3x = () => keeperWorld(PRESET_3X);

  /** Publishes `answers` on the ETH/USD feed `spacing` seconds apart, the pools following (real swaps). */
  async function path(w: KeeperWorld, answers: number[], spacing: number) {
    for (const answer of answers) {
      await time.increase(spacing);
      await setMarketPrice(w.market, answer);
    }
    await (await w.market.usdcUsdFeed.setAnswer(await w.market.usdcUsdFeed.latestAnswer())).wait();
  }

  /** The same formula off-chain, from the feed's last `rounds` + 1 answers. */
  async function expectedTarget(w: KeeperWorld): Promise<bigint> {
    const feed = w.market.ethUsdFeed;
    let id: bigint = await feed.latestRound();
    let [, answer, , latestAt] = await feed.getRoundData(id);
    let sum = 0n;
    let oldest: bigint = latestAt;
    for (let i = 0; i < 8 && id > 1n; i++) {
      id -= 1n;
      const [, previous, , updatedAt] = await feed.getRoundData(id);
      const step = ((answer > previous ? answer - previous : previous - answer) * WAD) / previous;
      sum += (step * step) / WAD;
      answer = previous;
      oldest = updatedAt;
    }
    const variance = sum / (latestAt - oldest);
    const fall = (sqrt(variance * 6n * 3600n * WAD) * 300n) / 100n;
    const ltv = (8300n * (WAD - fall)) / 10_000n;
    const survivable = (WAD * WAD) / (WAD - ltv);
    const floor = (3n * WAD) / 2n;
    return [3n * WAD, survivable > floor ? survivable : floor].reduce((a, b) => (a < b ? a : b));
  }

  it("is off by default: the target is the configured one and sigma 0", async () => {
    const w = await loadFixture(plain3x);
    expect(await w.vault.effectiveTargetLeverage()).to.deep.equal([3n * WAD, 0n]);
  });

  it("does not churn in a calm market: hourly moves of 0.5% leave the target at 3x and nothing due", async () => {
    const w = await loadFixture(volatile3x);
    await path(w, [2010, 2000, 2010, 2000, 1990, 2000, 2010, 2000, 1990, 2000], 3600);
    const [target, sigma] = await w.vault.effectiveTargetLeverage();
    expect(sigma).to.be.gt(0n);
    expect(target).to.equal(3n * WAD);
    expect((await w.vault.trigger()).action).to.equal(Action.None);
  });

  it("lowers the target (and the band with it) when the feed turns volatile, as the formula says, and the keeper delevers", async () => {
    const w = await loadFixture(volatile3x);
    // 5% swings every 20 minutes: about 8.7% an hour.
    await path(w, [2100, 2000, 2100, 2000, 2100, 2000, 2100, 2000, 2050], 1200);
    const [target] = await w.vault.effectiveTargetLeverage();
    const expected = await expectedTarget(w);
    expect(target).to.be.closeTo(expected, 10n ** 6n);
    expect(target).to.be.lt(27n * WAD / 10n).and.gte(3n * WAD / 2n);
    const before = await w.vault.position();
    const due = await w.vault.trigger();
    expect([due.needed, due.action]).to.deep.equal([true, Action.DeleverBand]);
    await (await w.vault.connect(w.keeper).rebalance()).wait();
    const after = await w.vault.position();
    // One chunk, sized to the pool: toward the lower target, not past it.
    expect(after.leverage).to.be.lt(before.leverage);
    expect(after.leverage).to.be.gte(target - WAD / 100n);
  });

  it("is read from the feed's rounds only: pokes, deposits and the time of the call between two rounds change nothing", async () => {
    const w = await loadFixture(volatile3x);
    await path(w, [2100, 2000, 2100, 2000], 1200);
    const [target, sigma] = await w.vault.effectiveTargetLeverage();
    await (await w.vault.connect(w.stranger).poke()).wait();
    await (await w.vault.connect(w.bob)["deposit(uint256,address)"](10n ** 18n, w.bob.address)).wait();
    // Later within the same heartbeat, no new round: the window is the rounds' own timestamps.
    await time.increase(1800);
    expect(await w.vault.effectiveTargetLeverage()).to.deep.equal([target, sigma]);
  });

  it("turning it off loosens risk (timelocked); a smaller k too; out-of-bounds values are refused", async () => {
    const w = await loadFixture(volatile3x);
    const current = plain(await w.vault.volatilityConfig());
    await expect(w.vault.setVolatilityConfig({ ...current, horizon: 0 })).to.emit(w.vault, "ChangeSubmitted");
    expect((await w.vault.volatilityConfig()).horizon).to.equal(6n * 3600n);
    await expect(w.vault.setVolatilityConfig({ ...current, sigmaMultiple: 200 })).to.emit(w.vault, "ChangeSubmitted");
    expect((await w.vault.pendingChange(ChangeKind.Volatility))[1]).to.be.gt(0n);
    // A larger k tightens: at once.
    await expect(w.vault.setVolatilityConfig({ ...current, sigmaMultiple: 400 })).to.emit(w.vault, "VolatilityConfigSet");
    for (const bad of [
      { ...current, sigmaMultiple: 50 },
      { ...current, horizon: 60 },
      { ...current, rounds: 1 },
      { ...current, floorLeverage: 4n * WAD },
    ]) {
      await expect(w.vault.setVolatilityConfig(bad)).to.be.revertedWithCustomError(w.vault, "KeeperInvalidVolatilityConfig");
    }
  });
});

function sqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let r = x;
  let y = (r + 1n) / 2n;
  while (y < r) {
    r = y;
    y = (r + x / r) / 2n;
  }
  return r;
}
