import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, parseUnits } from "ethers";
import { plain } from "../shared/structs";
import { refreshFeeds, setMarketPrice } from "../shared/market-helpers";
import { acceptPending, ChangeKind } from "../shared/timelock";
import { Action, keeperWorld, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { PAY, switchPayOn } from "./shared";
import type { MockAggregator } from "../../typechain-types";

const BPS = 10_000n;
const GAS_PRICE = parseUnits("10", "gwei");

const plainWorld = () => keeperWorld(PRESET_3X_FIXED);
async function paidWorld(): Promise<KeeperWorld> {
  const w = await keeperWorld(PRESET_3X_FIXED);
  await switchPayOn(w.vault, w.market);
  return w;
}

/** One keeper call at GAS_PRICE: what it was paid (WETH), what its gas cost (wei = WETH here) and the receipt. */
async function keeperCall(w: KeeperWorld, gasPrice = GAS_PRICE) {
  const before = await w.market.weth.balanceOf(w.keeper.address);
  const receipt = (await (await w.vault.connect(w.keeper).rebalance({ gasPrice })).wait())!;
  const paid: bigint = BigInt(await w.market.weth.balanceOf(w.keeper.address)) - BigInt(before);
  return { paid, cost: receipt.gasUsed * receipt.gasPrice, receipt };
}

/** Runs the keeper while the trigger announces an action; sums pay, gas cost and the debt value moved. */
async function keeperLoop(w: KeeperWorld, maxCalls = 30) {
  let paid = 0n;
  let cost = 0n;
  let calls = 0;
  const debtBefore = (await w.vault.position()).debt;
  for (; calls < maxCalls; calls++) {
    const { needed } = await w.vault.trigger();
    if (!needed) break;
    const call = await keeperCall(w);
    paid += call.paid;
    cost += call.cost;
    expect(call.paid, `call ${calls}`).to.be.lte((call.cost * BigInt(PAY.multiplierBps)) / BPS); // KEEPER-PAY-1 per call
  }
  const repaid = debtBefore - (await w.vault.position()).debt;
  return { paid, cost, calls, repaid };
}

describe("keeper pay: gas reimbursed, bounded (KEEPER-PAY-*)", () => {
  it("off by default: a rebalance pays nothing and emits no KeeperPaid", async () => {
    const w = await loadFixture(plainWorld);
    await setMarketPrice(w.market, 1900);
    const { paid, receipt } = await keeperCall(w);
    expect(paid).to.equal(0n);
    await expect(receipt).to.not.emit(w.vault, "KeeperPaid");
    expect((await w.vault.keeperPayConfig()).multiplierBps).to.equal(0n);
  });

  it("KEEPER-PAY-1: on a crash path the bot is paid at most its gas cost x the multiplier, and something", async () => {
    const w = await loadFixture(paidWorld);
    let paid = 0n;
    let cost = 0n;
    for (const price of [1950, 1900, 1850, 1800, 1750, 1700]) {
      await setMarketPrice(w.market, price);
      const run = await keeperLoop(w);
      paid += run.paid;
      cost += run.cost;
    }
    expect(paid).to.be.gt(0n);
    expect(paid).to.be.lte((cost * BigInt(PAY.multiplierBps)) / BPS);
    const state = await w.vault.keeperPayState();
    expect(state.paidToday).to.equal(paid);
  });

  it("KEEPER-PAY-1: the gas price counts at most maxGasPrice; the event names gas and price", async () => {
    const w = await loadFixture(paidWorld);
    await setMarketPrice(w.market, 1900);
    const { paid, receipt } = await keeperCall(w, parseUnits("500", "gwei"));
    expect(paid).to.be.gt(0n);
    const event = receipt.logs.map((log) => { try { return w.vault.interface.parseLog(log); } catch { return null; } }).find((e) => e?.name === "KeeperPaid")!;
    expect(event.args.gasPrice).to.equal(PAY.maxGasPrice);
    expect(paid).to.be.lte((receipt.gasUsed * PAY.maxGasPrice * BigInt(PAY.multiplierBps)) / BPS);
    expect(event.args.gasUsed).to.be.lte(receipt.gasUsed);
  });

  it("KEEPER-PAY-3: the pay stays inside the action's equity-loss bound (VAULT-EQ-1 with the payment)", async () => {
    const w = await loadFixture(paidWorld);
    await setMarketPrice(w.market, 1900);
    const before = await w.vault.position();
    const { paid } = await keeperCall(w);
    const after = await w.vault.position();
    const loss = before.equityValue - after.equityValue;
    const traded = before.debtValue - after.debtValue;
    const config = await w.vault.automationConfig();
    const slippage = (await w.vault.executionConfig()).maxSlippageBps;
    const maxLoss = (traded * config.maxEquityLossBps) / (BPS - slippage) + 10n ** 16n;
    expect(paid).to.be.gt(0n);
    expect(loss).to.be.lte(maxLoss);
  });

  it("KEEPER-PAY-4: the day's budget caps what all keepers are paid on a UTC day", async () => {
    const w = await loadFixture(plainWorld);
    await switchPayOn(w.vault, w.market, { maxPerDay: parseEther("0.000001") });
    await setMarketPrice(w.market, 1900);
    const { paid } = await keeperCall(w);
    expect(paid).to.equal(parseEther("0.000001"));
    await setMarketPrice(w.market, 1750);
    const { paid: second } = await keeperCall(w);
    expect(second).to.equal(0n);
  });

  it("KEEPER-PAY-2: slivers never earn more than one action for the same work (pay linear in the debt moved)", async () => {
    // Same pay per unit of work (maxPerAction / maxTradeSize) in both worlds; the second moves the debt in slivers
    // 50x smaller, the way a keeper shrinking every trade would. The work bound binds (below the gas bound).
    const perAction = parseEther("0.002");
    const one = await loadFixture(plainWorld);
    await (await one.vault.setAutomationConfig({ ...plain(await one.vault.automationConfig()), cooldown: 0 })).wait();
    await switchPayOn(one.vault, one.market, { maxPerAction: perAction });
    const tradeSize = (await one.vault.automationConfig()).maxTradeSize;
    await setMarketPrice(one.market, 1900);
    const single = await keeperLoop(one);
    expect(single.calls).to.equal(1);

    const sliced = await loadFixture(plainWorld);
    await (await sliced.vault.setAutomationConfig({ ...plain(await sliced.vault.automationConfig()), maxTradeSize: tradeSize / 50n, cooldown: 0 })).wait();
    await switchPayOn(sliced.vault, sliced.market, { maxPerAction: perAction / 50n });
    expect((await sliced.vault.pendingChange(ChangeKind.Automation))[1]).to.equal(0n);
    await refreshFeeds(sliced.market);
    await setMarketPrice(sliced.market, 1900);
    const slivers = await keeperLoop(sliced);
    expect(slivers.calls).to.be.gt(2);
    expect(slivers.cost).to.be.gt(single.cost * 2n); // a gas-only rule would have paid them far more
    // Per unit of debt moved, the slivers are paid no more than the single action (within 1e-6: the debt value moved
    // is read at oracle prices and carries a block's interest).
    expect(slivers.paid * single.repaid).to.be.lte((single.paid * slivers.repaid * 1_000_001n) / 1_000_000n);
    expect(single.paid).to.be.gt(0n);
  });
});

describe("keeper pay: settings (KeeperInvalidPayConfig, ROLE-2)", () => {
  it("above 1.2x, or on without a gas price or caps: KeeperInvalidPayConfig, nothing changed", async () => {
    const w = await loadFixture(plainWorld);
    for (const bad of [{ multiplierBps: 12_001 }, { maxGasPrice: 0n }, { maxPerAction: 0n }, { maxPerDay: 0n }]) {
      await expect(w.vault.setKeeperPayConfig({ ...PAY, ...bad }), JSON.stringify(bad, (_, v) => (typeof v === "bigint" ? v.toString() : v)))
        .to.be.revertedWithCustomError(w.vault, "KeeperInvalidPayConfig");
    }
    expect((await w.vault.pendingChange(ChangeKind.KeeperPay))[1]).to.equal(0n);
  });

  it("raising waits out the timelock, lowering applies at once; manager only", async () => {
    const w = await loadFixture(plainWorld);
    await expect(w.vault.connect(w.stranger).setKeeperPayConfig(PAY))
      .to.be.revertedWithCustomError(w.vault, "VaultUnauthorized")
      .withArgs(w.stranger.address);
    await (await w.vault.setKeeperPayConfig(PAY)).wait();
    expect((await w.vault.keeperPayConfig()).multiplierBps).to.equal(0n);
    await acceptPending(w.vault, w.market);
    expect((await w.vault.keeperPayConfig()).multiplierBps).to.equal(BigInt(PAY.multiplierBps));
    await expect(w.vault.setKeeperPayConfig({ ...PAY, multiplierBps: 10_000 })).to.emit(w.vault, "KeeperPayConfigSet");
    expect((await w.vault.keeperPayConfig()).multiplierBps).to.equal(10_000n);
  });
});

describe("keeper pay: the gas token's own feed, for a vault neither of whose legs is the gas token", () => {
  const E8 = 10n ** 8n;
  /** A USD feed for the gas token (8 decimals), at `usd`. */
  async function gasFeed(usd: bigint, decimals = 8) {
    const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator");
    return (await Feed.deploy(decimals, "GAS / USD", usd * 10n ** BigInt(decimals))) as unknown as MockAggregator;
  }

  it("manager or owner, validated, only while pay is off and no pay change is pending; zero resets", async () => {
    const w = await loadFixture(plainWorld);
    const feed = await gasFeed(1000n);
    await expect(w.vault.connect(w.stranger).setGasTokenFeed(feed.target))
      .to.be.revertedWithCustomError(w.vault, "VaultUnauthorized")
      .withArgs(w.stranger.address);
    const bad = [w.stranger.address, await (await gasFeed(0n)).getAddress(), await (await gasFeed(1n, 19)).getAddress()];
    for (const address of bad) {
      await expect(w.vault.setGasTokenFeed(address)).to.be.revertedWithCustomError(w.vault, "KeeperInvalidGasTokenFeed").withArgs(address);
    }
    expect(await w.vault.gasTokenFeed()).to.equal(hre.ethers.ZeroAddress);
    await expect(w.vault.setGasTokenFeed(feed.target)).to.emit(w.vault, "GasTokenFeedSet").withArgs(feed.target);
    expect(await w.vault.gasTokenFeed()).to.equal(feed.target);
    // A raise of the pay is pending: the feed it will use is what holders see for the whole timelock.
    await (await w.vault.setKeeperPayConfig(PAY)).wait();
    await expect(w.vault.setGasTokenFeed(hre.ethers.ZeroAddress)).to.be.revertedWithCustomError(w.vault, "KeeperGasTokenFeedLocked");
    await acceptPending(w.vault, w.market);
    await expect(w.vault.setGasTokenFeed(hre.ethers.ZeroAddress)).to.be.revertedWithCustomError(w.vault, "KeeperGasTokenFeedLocked");
    expect(await w.vault.gasTokenFeed()).to.equal(feed.target);
    // Pay off (a lowering, at once): the feed may change again.
    await (await w.vault.setKeeperPayConfig({ ...PAY, multiplierBps: 0 })).wait();
    await expect(w.vault.setGasTokenFeed(hre.ethers.ZeroAddress)).to.emit(w.vault, "GasTokenFeedSet").withArgs(hre.ethers.ZeroAddress);
    expect(await w.vault.gasTokenFeed()).to.equal(hre.ethers.ZeroAddress);
  });

  it("KEEPER-PAY-1: the gas is priced by the feed, not by a leg; a stale feed pays nothing and the action goes on", async () => {
    const w = await loadFixture(plainWorld);
    // The gas token at $1,000 while the collateral (WETH) is at $2,000: the pay is half the collateral-priced pay.
    const feed = await gasFeed(1000n);
    await (await w.vault.setGasTokenFeed(feed.target)).wait();
    await switchPayOn(w.vault, w.market);
    await (await feed.setAnswer(1000n * E8)).wait(); // re-stamped after the timelock
    await setMarketPrice(w.market, 1900);
    const { paid, receipt } = await keeperCall(w);
    const event = receipt.logs.map((log) => { try { return w.vault.interface.parseLog(log); } catch { return null; } }).find((e) => e?.name === "KeeperPaid")!;
    const [collateralPrice] = await w.vault.oraclePrices();
    const gasCost = BigInt(event.args.gasUsed) * BigInt(event.args.gasPrice);
    const expected = (gasCost * BigInt(PAY.multiplierBps) * 1000n * 10n ** 18n) / BPS / collateralPrice;
    expect(paid).to.equal(event.args.assets);
    expect(paid).to.be.closeTo(expected, expected / 1000n);

    // The feed goes stale (older than the legs' heartbeats): the keeper is not paid, the deleverage still runs.
    await (await feed.setAnswerAt(1000n * E8, 1n)).wait();
    await setMarketPrice(w.market, 1750);
    const debt = (await w.vault.position()).debt;
    const stale = await keeperCall(w);
    expect(stale.paid).to.equal(0n);
    await expect(stale.receipt).to.not.emit(w.vault, "KeeperPaid");
    await expect(stale.receipt).to.emit(w.vault, "ActionExecuted");
    expect((await w.vault.position()).debt).to.be.lt(debt);
  });
});

describe("keeper pay: only allow-listed keepers are paid", () => {
  it("a stranger may delever at or below the floor (ROLE-2 (b)) and is not paid", async () => {
    const w = await loadFixture(paidWorld);
    const floor = (await w.vault.leverageConfig()).minHealthFactor;
    const critical = (await w.vault.automationConfig()).criticalHealthFactor;
    const { healthFactor } = await w.vault.position();
    // The health factor moves with the ETH price here: halfway between the critical HF and the floor.
    await setMarketPrice(w.market, Number((2000n * ((floor + critical) / 2n)) / healthFactor));
    const at = (await w.vault.position()).healthFactor;
    expect(at).to.be.lt(floor).and.gt(critical);
    expect((await w.vault.trigger()).action).to.equal(Action.DeleverHealth);
    const before = await w.market.weth.balanceOf(w.stranger.address);
    const receipt = (await (await w.vault.connect(w.stranger).rebalance({ gasPrice: GAS_PRICE })).wait())!;
    await expect(receipt).to.emit(w.vault, "ActionExecuted");
    await expect(receipt).to.not.emit(w.vault, "KeeperPaid");
    expect(await w.market.weth.balanceOf(w.stranger.address)).to.equal(before);
    expect((await w.vault.position()).healthFactor).to.be.gt(at);
  });
});
