/**
 * One lifecycle, run over every preset (scripts/lib/deploy/presets.ts): deploy, two depositors, honest previews, an
 * adverse move of the preset's reference price the keeper acts on (TRIGGER-1: what trigger() announces is what
 * rebalance() performs), the health factor rising after a deleverage, a stop on the move against the position (a
 * fall for a long, a rally for the short, a depeg for the loop), and the last holder's full exit repaying all
 * debt; then each kind's own seams: the pair's volatility source and the loop's e-mode.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract } from "ethers";
import type { Market } from "../shared/market";
import { Action, Mode } from "../shared/keeper";
import { deployVault, initParams, toUnits } from "../../scripts/lib/deploy/vault";
import { advanceTimeAllFeeds, defaultReferencePrice, setReferencePrice } from "../../scripts/lib/market/reference-price";
import { collateralFor, presetVenues, presetWorld, type PresetWorld, type Venue } from "../shared/presets";
import { vaultStatus } from "../../scripts/lib/vault/status";
import { morphoMarketId } from "../../scripts/lib/market/morpho";
import {
  PRESETS,
  availablePresets,
  ethExposure,
  exposureText,
  getPreset,
  localDecimals,
  localPair,
  pairPrice,
  presetSettings,
  type Preset,
  type PresetName,
} from "../../scripts/lib/deploy/presets";

/** Each depositor brings this much USD of collateral. */
const DEPOSIT_USD = 20_000;
const DELEVERAGE_ACTIONS = [Action.DeleverBand, Action.DeleverHealth, Action.Ripcord];

/**
 * Each kind's story as multiples of its starting reference price: [first adverse move, further, through the stop],
 * and the stop in between. The loop at 8x: a 1.5 % depeg takes it past its band, 3.5 % through its stop.
 */
const STORY: Record<PresetName, { stop: number; path: number[] }> = {
  "eth-long-3x": { stop: 0.75, path: [0.9, 0.825, 0.725] },
  "eth-short-2x": { stop: 1.25, path: [1.15, 1.225, 1.3] },
  "btc-long-2x": { stop: 0.75, path: [0.85, 0.8, 0.7] },
  "wsteth-loop": { stop: 0.97, path: [0.985, 0.98, 0.965] },
};

/** A move in the position's favour, as `count` hourly steps of `step` x the reference: out of the band, below it. */
const FAVOURABLE: Record<PresetName, { step: number; count: number }> = {
  "eth-long-3x": { step: 1.02, count: 5 },
  "eth-short-2x": { step: 0.975, count: 7 },
  "btc-long-2x": { step: 1.025, count: 7 },
  "wsteth-loop": { step: 1.0035, count: 4 },
};

interface LifecycleWorld extends PresetWorld {
  /** What each depositor brings: $20,000 of collateral. */
  amount: bigint;
}

async function lifecycleWorld(preset: Preset, venue: Venue = "aave"): Promise<LifecycleWorld> {
  const w = await presetWorld(preset, { stopLoss: defaultReferencePrice(preset.reference) * STORY[preset.name].stop }, {}, venue);
  return { ...w, amount: await collateralFor(w, DEPOSIT_USD) };
}

/** Two depositors in, each receiving at least previewDeposit's shares. */
async function bothDeposit(w: LifecycleWorld): Promise<void> {
  for (const user of [w.alice, w.bob]) {
    const preview = await w.vault.previewDeposit(w.amount);
    const before = await w.vault.balanceOf(user.address);
    await (await w.vault.connect(user)["deposit(uint256,address)"](w.amount, user.address)).wait();
    expect((await w.vault.balanceOf(user.address)) - before).to.be.gte(preview);
  }
}

/** Redeems all of `user`'s shares; asserts at least previewRedeem's assets arrived. */
async function redeemAll(w: LifecycleWorld, user: Market["deployer"]): Promise<bigint> {
  const shares = await w.vault.balanceOf(user.address);
  const preview = await w.vault.previewRedeem(shares);
  const before: bigint = await w.collateral.balanceOf(user.address);
  await (await w.vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address)).wait();
  const received = ((await w.collateral.balanceOf(user.address)) as bigint) - before;
  expect(received).to.be.gte(preview);
  return received;
}

/** One keeper step: asks trigger(), and if needed checks rebalance() performs exactly that action. */
async function keeperStep(w: LifecycleWorld): Promise<bigint | undefined> {
  const { needed, action } = await w.vault.trigger();
  if (!needed) return undefined;
  const performed = await w.vault.connect(w.keeper).rebalance.staticCall();
  expect(performed, "TRIGGER-1: rebalance() performs what trigger() announced").to.equal(action);
  await (await w.vault.connect(w.keeper).rebalance()).wait();
  return action;
}

describe("presets: one lifecycle over every kind", function () {
  it("names the same four presets, all available on the local market; an unknown name is refused", function () {
    expect(Object.keys(PRESETS).sort()).to.deep.equal(["btc-long-2x", "eth-long-3x", "eth-short-2x", "wsteth-loop"]);
    expect(availablePresets().map((p) => p.name)).to.deep.equal(["eth-long-3x", "eth-short-2x", "btc-long-2x", "wsteth-loop"]);
    expect(() => getPreset("eth-long-9x")).to.throw(/unknown preset/);
  });

  it("states exposure honestly and converts stops and amounts into each pair's own units", function () {
    expect(ethExposure(1, 3)).to.equal(3);
    expect(ethExposure(-1, 2)).to.equal(-1); // a 2x short is -1x ETH per unit of equity
    const short = getPreset("eth-short-2x");
    expect(short.description).to.match(/-1x ETH exposure per unit of equity/);
    expect(exposureText(short, 2)).to.equal("-1.00x ETH");
    expect(exposureText(getPreset("wsteth-loop"), 8)).to.match(/\+8\.00x the wstETH\/ETH rate/);
    const s = presetSettings(short, { stopLoss: 2500, takeProfit: 1500 });
    // WETH per USDC: the stop (an ETH rally to $2500) is the low bound, the take-profit (a fall to $1500) the high one.
    expect(s.stopLossPrice).to.be.closeTo(0.0004, 1e-15);
    expect(s.takeProfitPrice).to.be.closeTo(1 / 1500, 1e-15);
    const roles = { owner: hre.ethers.ZeroAddress, manager: hre.ethers.ZeroAddress, guardian: hre.ethers.ZeroAddress };
    const p = initParams(s, roles, localDecimals(short));
    expect(p.execution.depositCap).to.equal(20_000_000n * 10n ** 6n); // USDC
    expect(p.automation.ripcordRewardCap).to.equal(2_000n * 10n ** 6n); // USDC
    expect(p.automation.maxTradeSize).to.equal(125n * 10n ** 18n); // WETH
    expect(p.exits.stopLossPrice).to.equal(4n * 10n ** 14n);
    // 8 decimals: WBTC amounts are not scaled as if they had 18.
    const btc = initParams(presetSettings(getPreset("btc-long-2x")), roles, localDecimals(getPreset("btc-long-2x")));
    expect(btc.execution.depositCap).to.equal(500n * 10n ** 8n);
    expect(btc.automation.ripcordRewardCap).to.equal(2n * 10n ** 6n);
    // The long keeps today's encoding (18-decimal collateral, 6-decimal debt).
    const long = initParams(presetSettings(getPreset("eth-long-3x")), roles);
    expect(long.execution.depositCap).to.equal(10_000n * 10n ** 18n);
    expect(long.automation.maxTradeSize).to.equal(250_000n * 10n ** 6n);
  });

  for (const { preset, venue } of presetVenues()) {
    const label = venue === "aave" ? preset.name : `${preset.name} on ${venue}`;
    describe(label, function () {
      // A named function per (preset, venue): loadFixture keys on it.
      const fixture = { [label]: () => lifecycleWorld(preset, venue) }[label];

      it("deploys with the pair's tokens, feeds, name and units, priced in debt per collateral", async function () {
        const w = await loadFixture(fixture);
        expect(await w.core.asset()).to.equal(w.collateral.target);
        expect(await w.vault.name()).to.equal(w.settings.name);
        expect(w.settings.stopLossPrice).to.be.closeTo(pairPrice(preset, w.start * STORY[preset.name].stop), 1e-12);
        const price = Number((await w.vault.position()).price) / 1e18;
        const expected = pairPrice(preset, w.start);
        expect(price).to.be.closeTo(expected, expected * 1e-6);
      });

      it("two depositors, honest previews, and the last holder's full exit repays all debt", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        const lev = Number((await w.vault.position()).leverage) / 1e18;
        expect(lev).to.be.closeTo(w.settings.targetLeverage, 0.1);
        if (w.blue) {
          // The position is on Morpho: collateral and debt there, nothing on Aave.
          const morphoMarket = Object.values(w.blue.markets).find((p) => p.collateralToken === w.collateral.target)!;
          const onMorpho = await w.blue.morpho.position(morphoMarketId(morphoMarket), w.vault.target);
          expect(onMorpho.collateral).to.equal((await w.vault.position()).collateral);
          expect(onMorpho.borrowShares).to.be.gt(0n);
          expect(await w.variableDebt.balanceOf(w.vault.target)).to.equal(0n);
          expect(await w.aCollateral.balanceOf(w.vault.target)).to.equal(0n);
        }
        expect(await w.debtOf()).to.be.gt(0n);
        await redeemAll(w, w.alice);
        expect(await w.debtOf()).to.be.gt(0n);
        await redeemAll(w, w.bob);
        expect(await w.vault.totalSupply()).to.equal(0n);
        expect(await w.debtOf()).to.equal(0n);
      });

      it("vault:status states the kind's exposure per unit of equity and the carry on the lending market", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        const symbols = { assetSymbol: preset.collateral, debtSymbol: preset.debt };
        const tokens = { ...symbols, assetDecimals: localDecimals(preset).collateral, debtDecimals: localDecimals(preset).debt, shareDecimals: Number(await w.vault.decimals()) };
        // The carry is read from the vault's own venue (venueRates), on either venue, with no pool given.
        const { result, lines } = await vaultStatus(w.vault, hre.ethers.provider, tokens);
        const leverage = Number(result.position!.leverage) / 1e18;
        expect(result.exposure).to.equal(exposureText(preset, leverage));
        expect(lines.join("\n")).to.include(`exposure per unit of equity`);
        expect(lines.join("\n")).to.include("carry:");
        const carry = result.carry!;
        expect(carry.netApr).to.be.closeTo(leverage * carry.supplyApr - (leverage - 1) * carry.borrowApr, 1e-9);
        expect(carry.borrowApr).to.be.gt(0);
        // Morpho Blue does not lend collateral out; Aave's reserve pays its liquidity rate.
        const [supplyRate, borrowRate] = await w.vault.venueRates();
        expect(carry.supplyApr).to.equal(Number(supplyRate) / 1e16);
        expect(carry.borrowApr).to.equal(Number(borrowRate) / 1e16);
        if (venue === "morpho") expect(supplyRate).to.equal(0n);
        if (preset.reference === "wstETH/ETH") {
          expect(result.exposure).to.match(/wstETH\/ETH rate/);
          expect(carry.breakEvenStakingApr).to.be.closeTo(Math.max(0, -carry.netApr / leverage), 1e-9);
          expect(lines.join("\n")).to.match(/loses money below a staking yield of/);
        } else {
          expect(carry.breakEvenStakingApr).to.equal(undefined);
        }
        if (preset.direction === -1) expect(result.exposure).to.match(/^-0\.9\d|^-1\.0\dx ETH$/);
      });

      it("a favourable move: the keeper re-levers back into the band, as trigger() announced", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        // Hourly steps, out of the band but calm enough that the volatility-aware target stays put.
        const { step, count } = FAVOURABLE[preset.name];
        for (let i = 1; i <= count; i++) {
          await advanceTimeAllFeeds(w.market, 3600);
          await setReferencePrice(w.market, preset.reference, w.start * step ** i);
        }
        expect((await w.vault.effectiveTargetLeverage())[0]).to.equal(toUnits(w.settings.targetLeverage, 18));
        const before = (await w.vault.position()).leverage;
        expect(await keeperStep(w)).to.equal(Action.ReleverBand);
        const after = (await w.vault.position()).leverage;
        expect(after).to.be.gt(before);
        expect(Number(after) / 1e18).to.be.closeTo(w.settings.targetLeverage, 0.05 * w.settings.targetLeverage);
      });

      it("an adverse move: trigger() and rebalance() agree, HF rises after the deleverage; the stop fires; exit repays all", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        const path = STORY[preset.name].path.map((m) => m * w.start);
        // First move against the position: the keeper must deleverage, and the health factor must rise.
        await advanceTimeAllFeeds(w.market, 3600);
        await setReferencePrice(w.market, preset.reference, path[0]);
        const hfBefore = (await w.vault.position()).healthFactor;
        const first = await keeperStep(w);
        expect(first !== undefined, `trigger at ${preset.reference} ${path[0]}`).to.equal(true);
        expect(DELEVERAGE_ACTIONS).to.include(first!);
        expect((await w.vault.position()).healthFactor).to.be.gt(hfBefore);
        // Onward through the stop (written in the reference price, converted to the pair's price).
        const seen: bigint[] = [];
        for (const price of path.slice(1)) {
          // Before the price crosses the stop, the vault is still active.
          expect((await w.vault.automationState()).mode).to.equal(Mode.Active);
          await advanceTimeAllFeeds(w.market, 3600);
          await setReferencePrice(w.market, preset.reference, price);
          for (let i = 0; i < 6; i++) {
            const action = await keeperStep(w);
            if (action === undefined) break;
            seen.push(action);
          }
        }
        expect(seen).to.include(Action.StopLoss);
        expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
        await redeemAll(w, w.alice);
        await redeemAll(w, w.bob);
        expect(await w.vault.totalSupply()).to.equal(0n);
        expect(await w.debtOf()).to.equal(0n);
      });
    });
  }

  describe("each kind reads its own risk", function () {
    const short = () => lifecycleWorld(getPreset("eth-short-2x"));
    const loop = () => lifecycleWorld(getPreset("wsteth-loop"));
    const loopOnMorpho = () => lifecycleWorld(getPreset("wsteth-loop"), "morpho");

    /** Publishes hourly answers alternating +-`step` on `feed`, then re-stamps the other feeds. */
    async function choppy(w: LifecycleWorld, feed: Contract, step: number) {
      let answer: bigint = await feed.latestAnswer();
      for (let i = 0; i < 8; i++) {
        await advanceTimeAllFeeds(w.market, 3600);
        answer = (answer * BigInt(Math.round((i % 2 ? 1 - step : 1 + step) * 1e6))) / 1_000_000n;
        await (await feed.setAnswer(answer)).wait();
      }
    }

    it("the short's volatility is ETH's (its debt's feed): a volatile ETH lowers its target", async function () {
      const w = await loadFixture(short);
      const [calm] = await w.vault.effectiveTargetLeverage();
      expect(calm).to.equal(2n * 10n ** 18n);
      // 8 % hourly swings: a 3-sigma fall over 6 h is ~59 %, which 2x on an 80 % threshold does not survive.
      await choppy(w, w.market.ethUsdFeed as unknown as Contract, 0.08);
      const [target, sigma] = await w.vault.effectiveTargetLeverage();
      expect(sigma).to.be.gt(0n);
      expect(target).to.be.lt(calm);
    });

    it("the loop's volatility is the wstETH/ETH rate's: ETH swings leave its target alone, a choppy rate lowers it", async function () {
      const w = await loadFixture(loop);
      const [calm] = await w.vault.effectiveTargetLeverage();
      expect(calm).to.equal(8n * 10n ** 18n);
      await choppy(w, w.market.ethUsdFeed as unknown as Contract, 0.05);
      expect((await w.vault.effectiveTargetLeverage())[0]).to.equal(calm);
      // 2 % hourly swings of the rate: a 3-sigma fall over 6 h is ~15 %, which 8x on a 95 % threshold does not survive.
      await choppy(w, w.market.wstethEthFeed as unknown as Contract, 0.02);
      const [target, sigma] = await w.vault.effectiveTargetLeverage();
      expect(sigma).to.be.gt(0n);
      expect(target).to.be.lt(calm);
    });

    it("on Morpho, a deleverage is sized within what Morpho can flash-lend and pay back out (TRIGGER-1)", async function () {
      // The loop's wstETH is most of what Morpho holds: a deleverage flash-loans wstETH and then withdraws as much
      // from the same balance. Found by the TRIGGER-1 property on Morpho: a large chunk made rebalance() revert.
      const w = await loadFixture(loopOnMorpho);
      await bothDeposit(w);
      await choppy(w, w.market.wstethEthFeed as unknown as Contract, 0.02); // the target falls far below 8x
      const held = (await w.collateral.balanceOf(w.blue!.morpho.target)) as bigint;
      const { needed, action } = await w.vault.trigger();
      expect(needed).to.equal(true);
      expect(DELEVERAGE_ACTIONS).to.include(action);
      const before = (await w.vault.position()).collateral;
      await (await w.vault.connect(w.keeper).rebalance()).wait();
      const sold = before - (await w.vault.position()).collateral;
      expect(sold).to.be.gt(0n);
      expect(sold).to.be.lte(held / 2n);
    });

    it("the loop borrows in Aave's ETH-correlated e-mode and its health factor is the market's", async function () {
      const w = await loadFixture(loop);
      await bothDeposit(w);
      expect(await w.market.pool.getUserEMode(w.vault.target)).to.equal(BigInt(w.market.eModeCategory));
      const account = await w.market.pool.getUserAccountData(w.vault.target);
      expect(account.currentLiquidationThreshold).to.equal(9500n);
      const own = (await w.vault.position()).healthFactor;
      expect(Number(own) / 1e18).to.be.closeTo(Number(account.healthFactor) / 1e18, 0.002);
      // 8x is out of reach outside e-mode (LT 81 %): the vault's HF here is the category's.
      expect(Number(own) / 1e18).to.be.closeTo((0.95 * 8) / 7, 0.01);
    });

    it("a vault whose legs are not both in its e-mode category is refused at construction", async function () {
      const w = await loadFixture(loop);
      const pair = { collateral: "WBTC", debt: "USDC", eMode: true } as const;
      await expect(deployVault(hre.ethers, w.market, { pair, settings: presetSettings(getPreset("btc-long-2x")) }))
        .to.be.revertedWithCustomError(w.module, "LendingEModeMismatch")
        .withArgs(w.market.eModeCategory);
    });
  });
});
