/**
 * OUTAGE-1 (docs/PROPERTIES.md): the oracle-outage deleverage of the emergency module. While a feed has been stale for
 * longer than its heartbeat plus the grace period, anyone may delever (never re-lever, never exit), priced at
 * min(the pool's TWAP, the feeds' last answer), capped per call and per clock hour, under the keeper's guards and
 * post-conditions valued at that reference price. Each refusal has its own error, tested here at its edge.
 */
import { expect } from "chai";
import hre from "hardhat";
import { MaxUint256, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld, Action, setFeed, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { connectAs, movePoolOnly, poolPriceE8, fund, refreshFeeds, swapPoolTo } from "../shared/market-helpers";
import { priceE8ToSqrtX96 } from "../../scripts/lib/market/price-math";
import { acceptPending, ChangeKind } from "../shared/timelock";
import { deployMarket } from "../shared/market";
import { deployVault, localOracleConfig } from "../../scripts/lib/deploy/vault";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const HEARTBEAT = 3600n; // the local ETH/USD feed's
const GRACE = 600n; // DEFAULT_OUTAGE_GRACE
const WINDOW = 1800n; // DEFAULT_TWAP_WINDOW
const USDC_TO_WAD = 10n ** 12n;
const ZERO_CONFIG = { gracePeriod: 0, twapWindow: 0, maxTwapDeviationBps: 0, maxActionBps: 0, maxHourlyBps: 0 };

const world = () => keeperWorld(PRESET_3X_FIXED);

/** When the path opens: the ETH/USD feed's last update + heartbeat + grace. */
async function opensAt(w: KeeperWorld): Promise<bigint> {
  const [, , , updatedAt] = await w.market.ethUsdFeed.latestRoundData();
  return updatedAt + HEARTBEAT + GRACE;
}

/** The pool only moves by `bps` (the feed stays silent), then time runs to `at` (a mined block). */
async function fallThenWait(w: KeeperWorld, bps: number, at: bigint): Promise<void> {
  await movePoolOnly(w.market, bps);
  await time.increaseTo(at);
}

/** Aave's view of the vault (the feeds' last answer): collateral and debt in USD wad. */
async function aave(w: KeeperWorld) {
  const data = await w.market.pool.getUserAccountData(w.vault.target);
  return { collateral: data.totalCollateralBase * 10n ** 10n, debt: data.totalDebtBase * 10n ** 10n };
}

/** The vault's USDC debt on Aave, raw units (its variable debt token's balance). */
async function debtOf(w: KeeperWorld): Promise<bigint> {
  const { variableDebtTokenAddress } = await w.market.pool.getReserveData(w.market.usdc.target);
  const token = await hre.ethers.getContractAt("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20", variableDebtTokenAddress);
  return token.balanceOf(w.vault.target);
}

describe("OUTAGE-1: the outage deleverage opens at heartbeat + grace, delevers only, priced at the pool's TWAP", () => {
  it("refuses while the feeds are fresh (OutageFeedsFresh), at the last fresh second too", async () => {
    const w = await loadFixture(world);
    await expect(w.vault.connect(w.stranger).outageDelever()).to.be.revertedWithCustomError(w.vault, "OutageFeedsFresh");
    const [, , , updatedAt] = await w.market.ethUsdFeed.latestRoundData();
    await time.setNextBlockTimestamp(updatedAt + HEARTBEAT);
    await expect(w.vault.connect(w.stranger).outageDelever()).to.be.revertedWithCustomError(w.vault, "OutageFeedsFresh");
  });

  it("refuses within the grace period (OutageGracePeriod(opensAt)) and opens at exactly heartbeat + grace", async () => {
    const w = await loadFixture(world);
    const open = await opensAt(w);
    await movePoolOnly(w.market, -1000);
    await time.setNextBlockTimestamp(open - 1n);
    await expect(w.vault.connect(w.stranger).outageDelever())
      .to.be.revertedWithCustomError(w.vault, "OutageGracePeriod")
      .withArgs(open);
    await time.setNextBlockTimestamp(open);
    await expect(w.vault.connect(w.stranger).outageDelever()).to.emit(w.vault, "OutageDelevered");
  });

  it("delevers (anyone, no reward) toward the health-restoring leverage, valued at the TWAP: HF up, leverage down", async () => {
    const w = await loadFixture(world);
    const spotBefore = await poolPriceE8(w.market);
    await fallThenWait(w, -1000, (await opensAt(w)) + 60n);
    const spot = await poolPriceE8(w.market);
    const debtBefore = (await aave(w)).debt;
    const wethBefore = await w.market.weth.balanceOf(w.stranger.address);
    const tx = w.vault.connect(w.stranger).outageDelever();
    await expect(tx)
      .to.emit(w.vault, "ActionExecuted")
      .withArgs(Action.OutageDelever, w.stranger.address,
        (before: bigint) => before > 3n * WAD, (after: bigint) => after < 3n * WAD + WAD / 2n,
        (hfBefore: bigint) => hfBefore < WAD + WAD / 5n, (hfAfter: bigint) => hfAfter > WAD + WAD / 10n);
    const receipt = await (await tx).wait();
    const event = receipt!.logs.map((l) => { try { return w.vault.interface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === "OutageDelevered")!;
    const [, repaid, referencePrice, twap] = event.args as unknown as [string, bigint, bigint, bigint];
    // The whole window is after the fall: the TWAP is the fallen spot (to a tick), below the last answer.
    const spotWad = spot * 10n ** 10n;
    expect(twap).to.be.closeTo(spotWad, spotWad / 5_000n);
    expect(referencePrice).to.equal(twap);
    expect(twap).to.be.lt(spotBefore * 10n ** 10n);
    // At most 25 % of the debt in one call (DEFAULT_OUTAGE_ACTION_BPS), and Aave saw it repaid.
    expect(repaid * USDC_TO_WAD).to.be.lte(debtBefore / 4n + WAD);
    expect(debtBefore - (await aave(w)).debt).to.be.closeTo(repaid * USDC_TO_WAD, WAD);
    expect(await w.market.weth.balanceOf(w.stranger.address)).to.equal(wethBefore);
  });

  it("has nothing to do with the pool where the feed left it (OutageNothingToDelever)", async () => {
    const w = await loadFixture(world);
    await time.increaseTo(await opensAt(w));
    await expect(w.vault.connect(w.stranger).outageDelever())
      .to.be.revertedWithCustomError(w.vault, "OutageNothingToDelever")
      .withArgs((hf: bigint) => hf >= WAD + (WAD * 15n) / 100n, (lev: bigint) => lev <= (33n * WAD) / 10n);
  });

  it("never re-levers nor exits: a rise leaves nothing to do (priced at the last answer); keeper, deposit, redeem refuse the stale feed", async () => {
    const w = await loadFixture(world);
    await fallThenWait(w, 1000, (await opensAt(w)) + WINDOW);
    // The vault is below its band at the pool's price, but the path prices at min(TWAP, last answer): unchanged.
    await expect(w.vault.connect(w.stranger).outageDelever()).to.be.revertedWithCustomError(w.vault, "OutageNothingToDelever");
    await expect(w.vault.connect(w.keeper).rebalance()).to.be.revertedWithCustomError(w.vault, "OracleStale");
    await expect(w.vault.connect(w.alice)["redeem(uint256,address,address)"](parseEther("1"), w.alice.address, w.alice.address))
      .to.be.revertedWithCustomError(w.vault, "OracleStale");
    await expect(w.vault.connect(w.alice)["deposit(uint256,address)"](parseEther("1"), w.alice.address))
      .to.be.revertedWithCustomError(w.vault, "OracleStale");
  });

  it("never prices above the last answer: with the feed's last answer below the TWAP, the reference is the last answer", async () => {
    const w = await loadFixture(world);
    const feed = ((await poolPriceE8(w.market)) * 95n) / 100n;
    await setFeed(w.market, feed); // the last answer, 5 % under the pool (which stays for the whole window)
    const open = await opensAt(w);
    await time.increaseTo(open - 5n);
    await movePoolOnly(w.market, -480); // the pool joins the answer just before the path opens: the TWAP has not
    await time.increaseTo(open);
    // At the TWAP (~the old pool price) the vault is at its target: only the last answer makes it due.
    const tx = await (await w.vault.connect(w.stranger).outageDelever()).wait();
    const event = tx!.logs.map((l) => { try { return w.vault.interface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === "OutageDelevered")!;
    const [, , referencePrice, twap] = event.args as unknown as [string, bigint, bigint, bigint];
    expect(referencePrice).to.equal(feed * 10n ** 10n);
    expect(twap).to.be.gt(referencePrice);
  });

  it("refuses when the spot is further than maxTwapDeviationBps from the TWAP (OutageTwapDeviation)", async () => {
    const w = await loadFixture(world);
    await time.increaseTo(await opensAt(w));
    await movePoolOnly(w.market, -800); // just now: the 30-min TWAP has barely moved
    await expect(w.vault.connect(w.stranger).outageDelever())
      .to.be.revertedWithCustomError(w.vault, "OutageTwapDeviation")
      .withArgs((spot: bigint) => spot > 0n, (twap: bigint) => twap > 0n);
  });

  it("refuses a pool moved earlier in the same block (KeeperPoolMovedInBlock)", async () => {
    const w = await loadFixture(world);
    await fallThenWait(w, -1000, (await opensAt(w)) + 60n);
    const { market } = w;
    const target = priceE8ToSqrtX96(((await poolPriceE8(market)) * 9_960n) / 10_000n, market.wethIsToken0);
    const amountIn = await market.weth.balanceOf(market.arbitrageur.address);
    await hre.network.provider.send("evm_setAutomine", [false]);
    let callHash: string;
    try {
      // A 40 bps push (> MAX_BLOCK_MOVE_BPS) then the call, in one block.
      await connectAs(market.swapRouter, market.arbitrageur).exactInputSingle(
        { tokenIn: market.weth.target, tokenOut: market.usdc.target, fee: 500, recipient: market.arbitrageur.address,
          deadline: MaxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: target },
        { gasLimit: 1_000_000 },
      );
      await expect(w.vault.connect(w.stranger).outageDelever.staticCall({ blockTag: "pending" }))
        .to.be.revertedWithCustomError(w.vault, "KeeperPoolMovedInBlock");
      callHash = (await w.vault.connect(w.stranger).outageDelever({ gasLimit: 3_000_000n })).hash;
      await hre.network.provider.send("evm_mine", []);
    } finally {
      await hre.network.provider.send("evm_setAutomine", [true]);
    }
    expect((await hre.ethers.provider.getTransactionReceipt(callHash!))!.status).to.equal(0);
    // In the next block the move is no longer within the block: the call goes through.
    await expect(w.vault.connect(w.stranger).outageDelever()).to.emit(w.vault, "OutageDelevered");
  });
});

describe("OUTAGE-1: per-call and per-hour caps", () => {
  async function cappedWorld() {
    const w = await world();
    await (await w.vault.setOutageConfig({ ...ZERO_CONFIG, maxActionBps: 500, maxHourlyBps: 1000 })).wait();
    await acceptPending(w.vault, w.market);
    return w;
  }

  it("repays at most maxActionBps per call, exactly maxHourlyBps per clock hour, then OutageHourlyCapReached; the next hour reopens", async () => {
    const w = await loadFixture(cappedWorld);
    expect((await w.vault.outageConfig()).maxHourlyBps).to.equal(1000n);
    const open = await opensAt(w);
    await movePoolOnly(w.market, -1000);
    // Early in a clock hour at least a window after the fall.
    const hourStart = (((open + WINDOW) / 3600n) + 1n) * 3600n;
    await time.increaseTo(hourStart + 1n);
    // Each call is sized on the debt room at the reference price; the swap's proceeds repay (the fill is within the
    // slippage of it), so the last call of the hour lands on the cap to within that slippage.
    const DUST = 101n; // _dustDebt() of USDC
    let calls = 0;
    for (;;) {
      const before = await debtOf(w);
      const state = await w.vault.outageState();
      const cap = (state.hourDebt * 1000n) / BPS;
      if (calls > 0 && state.hourRepaid + DUST >= cap) {
        await expect(w.vault.connect(w.stranger).outageDelever())
          .to.be.revertedWithCustomError(w.vault, "OutageHourlyCapReached")
          .withArgs(state.hourRepaid, cap);
        break;
      }
      await (await w.vault.connect(w.stranger).outageDelever()).wait();
      const repaid = before - (await debtOf(w));
      expect(repaid, `call ${calls}`).to.be.lte((before * 500n) / BPS + 1n);
      calls++;
      expect(calls, "calls in the hour").to.be.lte(6);
    }
    const state = await w.vault.outageState();
    expect(state.hour).to.equal(hourStart / 3600n);
    expect(state.hourRepaid).to.be.closeTo((state.hourDebt * 1000n) / BPS, (state.hourDebt * 1000n) / BPS / 100n);
    await time.increaseTo(hourStart + 3600n);
    await expect(w.vault.connect(w.stranger).outageDelever()).to.emit(w.vault, "OutageDelevered");
  });
});

describe("OUTAGE-1: configuration (ChangeKind.Outage, timelocked both ways)", () => {
  it("defaults when unset; every change waits out the timelock; out-of-bounds refused; manager only; revocable", async () => {
    const w = await loadFixture(world);
    const c = await w.vault.outageConfig();
    expect([c.gracePeriod, c.twapWindow, c.maxTwapDeviationBps, c.maxActionBps, c.maxHourlyBps]).to.deep.equal([600n, 1800n, 500n, 2500n, 5000n]);
    // A tighter value waits too (it slows the backstop): nothing applies at once.
    await expect(w.vault.setOutageConfig({ ...ZERO_CONFIG, twapWindow: 3600 })).to.emit(w.vault, "ChangeSubmitted");
    expect((await w.vault.outageConfig()).twapWindow).to.equal(1800n);
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Outage);
    await expect(w.vault.acceptChange(ChangeKind.Outage)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed").withArgs(validAt);
    await time.increaseTo(validAt);
    await expect(w.vault.connect(w.stranger).acceptChange(ChangeKind.Outage)).to.emit(w.vault, "OutageConfigSet");
    expect((await w.vault.outageConfig()).twapWindow).to.equal(3600n);
    await expect(w.vault.acceptChange(ChangeKind.Outage)).to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange");
    for (const bad of [{ twapWindow: 599 }, { twapWindow: 7201 }, { gracePeriod: 59 }, { gracePeriod: 86_401 }, { maxTwapDeviationBps: 1001 },
      { maxHourlyBps: 10_001 }, { maxActionBps: 6000 }, { maxActionBps: 300, maxHourlyBps: 200 }]) {
      await expect(w.vault.setOutageConfig({ ...ZERO_CONFIG, ...bad }), JSON.stringify(bad)).to.be.revertedWithCustomError(w.vault, "OutageInvalidConfig");
    }
    await expect(w.vault.connect(w.stranger).setOutageConfig(ZERO_CONFIG)).to.be.revertedWithCustomError(w.vault, "VaultUnauthorized");
    await (await w.vault.setOutageConfig({ ...ZERO_CONFIG, gracePeriod: 60 })).wait();
    await expect(w.vault.revokeChange(ChangeKind.Outage)).to.emit(w.vault, "ChangeRevoked");
    // The other kinds are still the management module's (acceptChange routed by kind).
    await expect(w.vault.acceptChange(ChangeKind.Leverage)).to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange").withArgs(ChangeKind.Leverage);
  });
});

describe("OUTAGE-1: the TWAP window", () => {
  it("refuses when the pool's observations do not reach a window back (OutageTwapUnavailable(window))", async () => {
    const w = await loadFixture(world);
    await (await w.vault.setOutageConfig({ ...ZERO_CONFIG, twapWindow: 7200 })).wait();
    await acceptPending(w.vault, w.market);
    await time.increaseTo(await opensAt(w));
    // 200 tick-moving swaps in 200 blocks: the pool's 200 observations now span ~200 s, not 2 h.
    for (let i = 0; i < 201; i++) await movePoolOnly(w.market, i % 2 === 0 ? -3 : 3);
    await expect(w.vault.connect(w.stranger).outageDelever())
      .to.be.revertedWithCustomError(w.vault, "OutageTwapUnavailable")
      .withArgs(7200);
  });
});

describe("OUTAGE-1: L2 sequencer", () => {
  it("refuses while the sequencer is down (OracleSequencerDown), whatever the feed's age", async () => {
    const market = await deployMarket();
    const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator");
    const sequencer = await Feed.deploy(0, "sequencer uptime", 0);
    await time.increase(7200);
    await refreshFeeds(market);
    const oracle = { ...localOracleConfig(market), sequencerFeed: sequencer.target };
    const [alice] = market.users;
    const { vault } = await deployVault(hre.ethers, market, { settings: PRESET_3X_FIXED, oracle });
    await fund(market, alice.address, { weth: parseEther("10") });
    await (await market.weth.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
    await (await vault.connect(alice)["deposit(uint256,address)"](parseEther("10"), alice.address)).wait();
    await movePoolOnly(market, -1000);
    await time.increase(Number(HEARTBEAT + GRACE + WINDOW));
    await (await sequencer.getFunction("setAnswer")(1)).wait();
    await expect(vault.outageDelever()).to.be.revertedWithCustomError(vault, "OracleSequencerDown");
    await (await sequencer.getFunction("setAnswer")(0)).wait();
    await expect(vault.outageDelever()).to.be.revertedWithCustomError(vault, "OracleSequencerGracePeriod");
    await time.increase(3601);
    await expect(vault.outageDelever()).to.emit(vault, "OutageDelevered");
  });
});

describe("OUTAGE-1: a pool manipulator during an outage", () => {
  /** The vault's equity at `priceE8` (USD wad) from Aave's balances: collateral units at that price less the debt. */
  async function equityAt(w: KeeperWorld, priceE8: bigint): Promise<bigint> {
    const { aTokenAddress } = await w.market.pool.getReserveData(w.market.weth.target);
    const aWeth = await hre.ethers.getContractAt("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20", aTokenAddress);
    const collateral = (await aWeth.balanceOf(w.vault.target)) + (await w.market.weth.balanceOf(w.vault.target));
    return (collateral * priceE8) / 10n ** 8n - (await debtOf(w)) * USDC_TO_WAD;
  }

  async function arbitrageurValue(w: KeeperWorld, priceE8: bigint): Promise<bigint> {
    const a = w.market.arbitrageur.address;
    return ((await w.market.weth.balanceOf(a)) * priceE8) / 10n ** 8n + (await w.market.usdc.balanceOf(a)) * USDC_TO_WAD;
  }

  it("pushing the spot down within the TWAP bound before the call: the vault loses at most the post-condition budget at the fair price, the manipulator gains at most what the vault lost", async () => {
    const w = await loadFixture(world);
    await fallThenWait(w, -1000, (await opensAt(w)) + WINDOW);
    const fair = await poolPriceE8(w.market); // the TWAP is this price: the whole window is after the fall
    const attackerBefore = await arbitrageurValue(w, fair);
    const equityBefore = await equityAt(w, fair);
    const debtBefore = await debtOf(w);
    for (const pushBps of [-150, -300]) {
      await movePoolOnly(w.market, pushBps); // its own block: the same-block guard does not see it
      try {
        await (await w.vault.connect(w.stranger).outageDelever()).wait();
      } catch (error) {
        // Refused (deviation from the reference, slippage): the manipulator only paid the pool.
        const data = (error as { data?: string }).data ?? "0x";
        const name = w.vault.interface.parseError(data)?.name ?? String(error);
        expect(name, `push ${pushBps} bps`).to.match(/KeeperDexDeviation|SwapSlippageExceeded|KeeperEquityLossExceeded|KeeperNoTradeRoom|OutageNothingToDelever/);
      }
      await swapPoolTo(w.market, w.market.uniPool500, fair); // buys back to the fair price
    }
    const traded = (debtBefore - (await debtOf(w))) * USDC_TO_WAD;
    expect(traded, "the vault delevered into the push").to.be.gt(0n);
    const vaultLoss = equityBefore - (await equityAt(w, fair));
    const attackerGain = (await arbitrageurValue(w, fair)) - attackerBefore;
    // The budget of an urgent deleverage (HF at the reference below the critical HF): 75 % of the 5 % bonus as
    // slippage plus the flash premium, over what was sold (VAULT-EQ-1), valued at the reference = the fair price.
    const budget = (traded * (375n + 5n)) / (BPS - 375n) + WAD;
    expect(vaultLoss, "vault loss within the post-condition budget").to.be.lte(budget);
    expect(attackerGain, "the manipulator gains no more than the vault lost").to.be.lte(vaultLoss > 0n ? vaultLoss : 0n);
  });

  it("measured: holding the 0.05 % pool's 30-min TWAP d below costs far more than the hourly cap can lose at d", async () => {
    const w = await loadFixture(world);
    const fair = await poolPriceE8(w.market);
    const debtValue = (await debtOf(w)) * USDC_TO_WAD;
    // What the outage path can lose to a reference d too low in one hour: its hourly cap (50 % of the debt), sold d
    // below the fair price. Moving the TWAP by d takes the spot d off for the whole window: 150 blocks of 12 s, each
    // arbitraged back by the next block (CEX-DEX arbitrage keeps running while a Chainlink feed is silent).
    for (const dBps of [100n, 300n, 500n]) {
      const before = await arbitrageurValue(w, fair);
      const push = await movePoolOnly(w.market, -Number(dBps));
      const perBlock = before - (await arbitrageurValue(w, fair)); // what the push sold below the fair price
      await swapPoolTo(w.market, w.market.uniPool500, fair); // the arbitrage back (its gain is the push's loss)
      const window = (perBlock * WINDOW) / 12n;
      const maxGain = (debtValue * 5000n * dBps) / BPS / BPS;
      console.log(`      d=${dBps} bps: push ${Number(push.amountIn / 10n ** 15n) / 1000} WETH, per-block cost $${Number(perBlock / WAD)}, ` +
        `over the window $${Number(window / WAD)}; the vault's hourly cap at d loses at most $${Number(maxGain / WAD)}`);
      expect(window).to.be.gt(maxGain * 100n);
    }
  });
});
