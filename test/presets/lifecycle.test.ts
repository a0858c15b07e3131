/**
 * One lifecycle, run over every preset available on the local market (scripts/lib/deploy/presets.ts): deploy, two
 * depositors, honest previews, an adverse move the keeper acts on (TRIGGER-1: what trigger() announces is what
 * rebalance() performs), the health factor rising after a deleverage, a stop on the move against the position
 * (a fall for a long, a rally for the short), and the last holder's full exit repaying all debt.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, type Contract } from "ethers";
import { deployMarket, type Market } from "../shared/market";
import { advanceTime, fund, setMarketPrice } from "../shared/market-helpers";
import { Action, Mode } from "../shared/keeper";
import { deployVault, initParams, toUnits, type DeployedVault } from "../../scripts/lib/deploy/vault";
import {
  PRESETS,
  availablePresets,
  ethExposure,
  getPreset,
  localDecimals,
  localPair,
  presetSettings,
  type AvailablePreset,
} from "../../scripts/lib/deploy/presets";

const START = 2000;
/** Each depositor brings this much USD of collateral. */
const DEPOSIT_USD = 20_000;
const DELEVERAGE_ACTIONS = [Action.DeleverBand, Action.DeleverHealth, Action.Ripcord];

/** ETH prices of the story against each direction: [first adverse move, further, through the stop]; stop in between. */
const STORY = {
  long: { stop: 1500, path: [1800, 1650, 1450] },
  short: { stop: 2500, path: [2300, 2450, 2600] },
};

interface PresetWorld extends DeployedVault {
  market: Market;
  preset: AvailablePreset;
  collateral: Contract;
  debtToken: Contract;
  amount: bigint;
  alice: Market["deployer"];
  bob: Market["deployer"];
  keeper: Market["deployer"];
}

const story = (preset: AvailablePreset) => (preset.direction === 1 ? STORY.long : STORY.short);

async function presetWorld(preset: AvailablePreset): Promise<PresetWorld> {
  const market = await deployMarket({ ethPrice: START });
  const [alice, bob, keeper] = market.users;
  const pair = localPair(preset);
  const deployed = await deployVault(hre.ethers, market, {
    pair,
    settings: presetSettings(preset, { stopLoss: story(preset).stop }),
    keepers: [keeper.address],
  });
  const collateral = pair.collateral === "WETH" ? market.weth : market.usdc;
  const debtToken = pair.debt === "WETH" ? market.variableDebtWETH : market.variableDebtUSDC;
  const collateralUsd = pair.collateral === "WETH" ? START : 1;
  const amount = toUnits(DEPOSIT_USD / collateralUsd, localDecimals(preset).collateral);
  for (const user of [alice, bob]) {
    await fund(market, user.address, pair.collateral === "WETH" ? { weth: amount * 2n } : { usdc: amount * 2n });
    await (await collateral.connect(user).getFunction("approve")(deployed.vault.target, MaxUint256)).wait();
  }
  return { ...deployed, market, preset, collateral, debtToken, amount, alice, bob, keeper };
}

/** Two depositors in, each receiving at least previewDeposit's shares. */
async function bothDeposit(w: PresetWorld): Promise<void> {
  for (const user of [w.alice, w.bob]) {
    const preview = await w.vault.previewDeposit(w.amount);
    const before = await w.vault.balanceOf(user.address);
    await (await w.vault.connect(user)["deposit(uint256,address)"](w.amount, user.address)).wait();
    expect((await w.vault.balanceOf(user.address)) - before).to.be.gte(preview);
  }
}

/** Redeems all of `user`'s shares; asserts at least previewRedeem's assets arrived. */
async function redeemAll(w: PresetWorld, user: Market["deployer"]): Promise<bigint> {
  const shares = await w.vault.balanceOf(user.address);
  const preview = await w.vault.previewRedeem(shares);
  const before: bigint = await w.collateral.balanceOf(user.address);
  await (await w.vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address)).wait();
  const received = ((await w.collateral.balanceOf(user.address)) as bigint) - before;
  expect(received).to.be.gte(preview);
  return received;
}

/** One keeper step: asks trigger(), and if needed checks rebalance() performs exactly that action. */
async function keeperStep(w: PresetWorld): Promise<bigint | undefined> {
  const { needed, action } = await w.vault.trigger();
  if (!needed) return undefined;
  const performed = await w.vault.connect(w.keeper).rebalance.staticCall();
  expect(performed, "TRIGGER-1: rebalance() performs what trigger() announced").to.equal(action);
  await (await w.vault.connect(w.keeper).rebalance()).wait();
  return action;
}

describe("presets: one lifecycle over every available preset", function () {
  it("names the same four presets; the unavailable ones say what the market lacks", function () {
    expect(Object.keys(PRESETS).sort()).to.deep.equal(["btc-long-2x", "eth-long-3x", "eth-short-2x", "wsteth-loop"]);
    expect(availablePresets().map((p) => p.name)).to.deep.equal(["eth-long-3x", "eth-short-2x"]);
    expect(() => getPreset("btc-long-2x")).to.throw(/not available.*WBTC reserve/);
    expect(() => getPreset("wsteth-loop")).to.throw(/not available.*wstETH reserve.*e-mode/);
    expect(() => getPreset("eth-long-9x")).to.throw(/unknown preset/);
  });

  it("states exposure honestly and converts the short's ETH stops and amounts into its own units", function () {
    expect(ethExposure(1, 3)).to.equal(3);
    expect(ethExposure(-1, 2)).to.equal(-1); // a 2x short is -1x ETH per unit of equity
    const short = getPreset("eth-short-2x");
    expect(short.description).to.match(/-1x ETH exposure per unit of equity/);
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
    expect(p.volatility.horizon).to.equal(0);
    // The long keeps today's encoding (18-decimal collateral, 6-decimal debt).
    const long = initParams(presetSettings(getPreset("eth-long-3x")), roles);
    expect(long.execution.depositCap).to.equal(10_000n * 10n ** 18n);
    expect(long.automation.maxTradeSize).to.equal(250_000n * 10n ** 6n);
  });

  for (const preset of availablePresets()) {
    describe(preset.name, function () {
      const fixture = { [preset.name]: () => presetWorld(preset) }[preset.name];

      it("deploys with the pair's tokens, feeds, name and units", async function () {
        const w = await loadFixture(fixture);
        expect(await w.core.asset()).to.equal(w.collateral.target);
        expect(await w.vault.name()).to.equal(w.settings.name);
        if (preset.direction === -1) {
          expect(w.settings.name).to.not.match(/WETH/);
          // Stop-loss as an ETH price converted to WETH per USDC: fires when the pair price falls, on a rally.
          expect(w.settings.stopLossPrice).to.be.closeTo(1 / STORY.short.stop, 1e-12);
          expect(w.settings.volatilityHorizon).to.equal(0);
        }
        const price = (await w.vault.position()).price;
        const expected = preset.direction === 1 ? START : 1 / START;
        expect(Number(price) / 1e18).to.be.closeTo(expected, expected * 1e-6);
      });

      it("two depositors, honest previews, and the last holder's full exit repays all debt", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        const lev = Number((await w.vault.position()).leverage) / 1e18;
        expect(lev).to.be.closeTo(w.settings.targetLeverage, 0.1);
        expect(await w.debtToken.balanceOf(w.vault.target)).to.be.gt(0n);
        await redeemAll(w, w.alice);
        expect(await w.debtToken.balanceOf(w.vault.target)).to.be.gt(0n);
        await redeemAll(w, w.bob);
        expect(await w.vault.totalSupply()).to.equal(0n);
        expect(await w.debtToken.balanceOf(w.vault.target)).to.equal(0n);
      });

      it("an adverse move: trigger() and rebalance() agree, HF rises after the deleverage; the stop fires; exit repays all", async function () {
        const w = await loadFixture(fixture);
        await bothDeposit(w);
        const { path } = story(preset);
        // First move against the position: the keeper must deleverage, and the health factor must rise.
        await advanceTime(3600, w.market);
        await setMarketPrice(w.market, path[0]);
        const hfBefore = (await w.vault.position()).healthFactor;
        const first = await keeperStep(w);
        expect(first !== undefined, `trigger at ETH $${path[0]}`).to.equal(true);
        expect(DELEVERAGE_ACTIONS).to.include(first!);
        expect((await w.vault.position()).healthFactor).to.be.gt(hfBefore);
        // Onward through the stop (ETH price in the preset, converted to the pair's price).
        const seen: bigint[] = [];
        for (const price of path.slice(1)) {
          // Before the price crosses the stop, the vault is still active.
          expect((await w.vault.automationState()).mode).to.equal(Mode.Active);
          await advanceTime(3600, w.market);
          await setMarketPrice(w.market, price);
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
        expect(await w.debtToken.balanceOf(w.vault.target)).to.equal(0n);
      });
    });
  }
});
