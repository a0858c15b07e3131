/**
 * Refinancing (IVaultRefinance, issue 20): a refinanceable vault (a VaultProxy with the vault's code on Aave V3 and on
 * Morpho Blue, real bytecode for both) moves its whole position between venues in one transaction, after the
 * timelock. One suite over the presets that run on both venues and both directions: a healthy move, a move near
 * the floor (made only when the destination keeps it), a stopped-out vault, donated idle balances, and a destination
 * short of supply room or liquidity (refused with a named error, nothing moved); then who may do what.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ZeroAddress, type Contract } from "ethers";
import { ChangeKind } from "../shared/timelock";
import { Mode } from "../shared/keeper";
import { collateralFor, debtFor, fundLeg, getPreset, movePairPrice, presetWorld, type PresetWorld, type Venue } from "../shared/presets";
import { heldOn, morphoParams, proposeAndWait, refinanceWorld as world } from "../shared/refinance";
import { morphoMarketId } from "../../scripts/lib/market/morpho";
import type { PresetName } from "../../scripts/lib/deploy/presets";

const PRESETS: PresetName[] = ["eth-long-3x", "wsteth-loop"];
const MOVES: [Venue, Venue][] = [
  ["aave", "morpho"],
  ["morpho", "aave"],
];
/** Token units a move may round the collateral down and the debt up by (SettingsModule.MOVE_ROUNDING). */
const MOVE_ROUNDING = 2n;
const WAD = 10n ** 18n;

/** The venue's max LTV for the pair (what it lends up to), bps: Morpho lends up to its LLTV. */
async function maxLtvBps(w: PresetWorld, venue: Venue): Promise<bigint> {
  if (venue === "morpho") return morphoParams(w).lltv / 10n ** 14n;
  if (w.preset.eMode) return (await w.market.pool.getEModeCategoryData(w.market.eModeCategory)).ltv;
  return (await w.market.dataProvider.getReserveConfigurationData(w.collateral.target)).ltv;
}

/** The venue's liquidation threshold for the pair, bps. */
async function thresholdBps(w: PresetWorld, venue: Venue): Promise<bigint> {
  if (venue === "morpho") return morphoParams(w).lltv / 10n ** 14n;
  if (w.preset.eMode) return (await w.market.pool.getEModeCategoryData(w.market.eModeCategory)).liquidationThreshold;
  return (await w.market.dataProvider.getReserveConfigurationData(w.collateral.target)).liquidationThreshold;
}

function accept(w: PresetWorld) {
  return w.vault.connect(w.stranger).acceptChange(ChangeKind.Venue);
}

/** Everything a refused move must leave as it was. */
async function snapshot(w: PresetWorld, from: Venue) {
  const p = await w.vault.position();
  return {
    implementation: await w.vault.venueImplementation(),
    held: await heldOn(w, from),
    collateral: p.collateral,
    idleCollateral: p.idleCollateral,
    idleDebt: p.idleDebtAsset,
    pending: (await w.vault.pendingChange(ChangeKind.Venue))[1],
  };
}

for (const preset of PRESETS) {
  for (const [from, to] of MOVES) {
    describe(`refinance ${preset}: ${from} -> ${to}`, function () {
      const fixture = () => world(preset, from);
      // A named function per (preset, direction): loadFixture keys on the function.
      Object.defineProperty(fixture, "name", { value: `refinance_${preset}_${from}_${to}` });

      it("moves the whole position in one transaction: same collateral and debt there, nothing left here", async function () {
        const w = await loadFixture(fixture);
        await proposeAndWait(w, to);
        const shares = await w.vault.balanceOf(w.alice.address);
        const assetsBefore = await w.vault.totalAssets();
        const tx = accept(w);
        await expect(tx).to.emit(w.vault, "VenueMoved").withArgs(w.venues![from].implementation, w.venues![to].implementation, anyValue, anyValue);
        const receipt = await (await tx).wait();
        const moved = w.vault.interface.parseLog(receipt!.logs.find((l) => l.topics[0] === w.vault.interface.getEvent("VenueMoved").topicHash)!)!;
        const [, , collateral, debt] = moved.args as unknown as [string, string, bigint, bigint];
        expect(await w.vault.venueImplementation()).to.equal(w.venues![to].implementation);
        expect(await w.vault.venueMover()).to.equal(w.venues![to].mover);
        expect(await heldOn(w, from)).to.deep.equal({ collateral: 0n, owes: false });
        const there = await heldOn(w, to);
        expect(there.collateral).to.be.gte(collateral - MOVE_ROUNDING).and.lte(collateral);
        const after = await w.vault.position();
        expect(after.debt).to.be.gte(debt).and.lte(debt + MOVE_ROUNDING);
        expect(after.healthFactor).to.be.gte((await w.vault.leverageConfig()).minHealthFactor);
        // One block of interest and a few units of rounding: the holders' assets are the same.
        expect(await w.vault.totalAssets()).to.be.closeTo(assetsBefore, assetsBefore / 100_000n);
        expect(await w.vault.balanceOf(w.alice.address)).to.equal(shares);
        expect((await w.vault.pendingChange(ChangeKind.Venue))[1]).to.equal(0n);
        expect(await w.vault.name()).to.equal(w.settings.name);
      });

      it("after the move the destination serves every path: the keeper's deleverage, a deposit, an exit", async function () {
        const w = await loadFixture(fixture);
        await proposeAndWait(w, to);
        await (await accept(w)).wait();
        // A move against the position past the band: the keeper delevers on the new venue, as trigger() announced.
        await movePairPrice(w, w.preset.eMode ? 0.985 : 0.9);
        const { needed, action } = await w.vault.trigger();
        expect(needed).to.equal(true);
        expect(await w.vault.connect(w.keeper).rebalance.staticCall()).to.equal(action);
        const hfBefore = (await w.vault.position()).healthFactor;
        await (await w.vault.connect(w.keeper).rebalance()).wait();
        expect((await w.vault.position()).healthFactor).to.be.gt(hfBefore);
        const amount = await collateralFor(w, 5_000);
        const preview = await w.vault.previewDeposit(amount);
        await (await w.vault.connect(w.carol)["deposit(uint256,address)"](amount, w.carol.address)).wait();
        expect(await w.vault.balanceOf(w.carol.address)).to.be.gte(preview);
        const shares = await w.vault.balanceOf(w.alice.address);
        const expected = await w.vault.previewRedeem(shares);
        const balance: bigint = await w.collateral.balanceOf(w.alice.address);
        await (await w.vault.connect(w.alice)["redeem(uint256,address,address)"](shares, w.alice.address, w.alice.address)).wait();
        expect((await w.collateral.balanceOf(w.alice.address)) - balance).to.be.gte(expected);
        expect(await heldOn(w, from)).to.deep.equal({ collateral: 0n, owes: false });
      });

      it("near the floor: moves when the destination reads the floor or better, else VaultRefinanceUnhealthy", async function () {
        const w = await loadFixture(fixture);
        const floor = (await w.vault.leverageConfig()).minHealthFactor;
        // The pair's price taken to where the source's health factor is 0.2 % above the floor.
        const hf = (await w.vault.position()).healthFactor;
        await movePairPrice(w, Number((floor * 1002n * WAD) / (hf * 1000n)) / 1e18);
        await proposeAndWait(w, to);
        const before = await w.vault.position();
        expect(before.healthFactor).to.be.gte(floor);
        const expectedHf = (before.healthFactor * (await thresholdBps(w, to))) / (await thresholdBps(w, from));
        if (expectedHf >= floor) {
          await expect(accept(w)).to.emit(w.vault, "VenueMoved");
          expect((await w.vault.position()).healthFactor).to.be.closeTo(expectedHf, expectedHf / 10_000n);
        } else {
          const kept = await snapshot(w, from);
          await expect(accept(w))
            .to.be.revertedWithCustomError(w.vault, "VaultRefinanceUnhealthy")
            .withArgs((value: bigint) => value < floor, floor);
          expect(await snapshot(w, from)).to.deep.equal(kept);
        }
      });

      it("a position above the destination's max LTV: VaultRefinanceUnhealthy before anything moves", async function () {
        const w = await loadFixture(fixture);
        const [ltvTo, ltvFrom] = [await maxLtvBps(w, to), await maxLtvBps(w, from)];
        if (ltvTo >= ltvFrom) this.skip(); // the source's own borrow limit already keeps the position under it
        // The pair's price taken to where the position's LTV sits half-way between the two venues' max LTVs.
        const p = await w.vault.position();
        const ltv = Number((p.debtValue * 10_000n) / p.grossValue); // no idle balances here
        await movePairPrice(w, ltv / Number((ltvTo + ltvFrom) / 2n));
        await proposeAndWait(w, to);
        const kept = await snapshot(w, from);
        await expect(accept(w))
          .to.be.revertedWithCustomError(w.vault, "VaultRefinanceUnhealthy")
          .withArgs(anyValue, (await w.vault.leverageConfig()).minHealthFactor);
        expect(await snapshot(w, from)).to.deep.equal(kept);
      });

      it("a stopped-out vault moves its idle collateral's venue; the holders still exit", async function () {
        const w = await loadFixture(fixture);
        await (await w.vault.stop()).wait();
        for (let i = 0; i < 4 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
        expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
        expect(await w.debtOf()).to.equal(0n);
        await proposeAndWait(w, to);
        const before = await w.vault.position();
        await expect(accept(w)).to.emit(w.vault, "VenueMoved").withArgs(anyValue, anyValue, before.collateral, 0n);
        const after = await w.vault.position();
        expect(after.idleCollateral).to.equal(before.idleCollateral);
        expect(after.collateral).to.be.gte(before.collateral - MOVE_ROUNDING);
        const shares = await w.vault.balanceOf(w.bob.address);
        const expected = await w.vault.previewRedeem(shares);
        const balance: bigint = await w.collateral.balanceOf(w.bob.address);
        await (await w.vault.connect(w.bob)["redeem(uint256,address,address)"](shares, w.bob.address, w.bob.address)).wait();
        expect((await w.collateral.balanceOf(w.bob.address)) - balance).to.be.gte(expected);
      });

      it("donated idle balances stay idle and the holders' assets whole", async function () {
        const w = await loadFixture(fixture);
        const vault = w.vault.target as string;
        await fundLeg(w, "collateral", vault, await collateralFor(w, 500));
        await fundLeg(w, "debt", vault, await debtFor(w, 500));
        await proposeAndWait(w, to);
        const before = await w.vault.position();
        const assetsBefore = await w.vault.totalAssets();
        await expect(accept(w)).to.emit(w.vault, "VenueMoved");
        const after = await w.vault.position();
        expect(after.idleCollateral).to.equal(before.idleCollateral);
        expect(after.idleDebtAsset).to.equal(before.idleDebtAsset);
        expect(await w.vault.totalAssets()).to.be.closeTo(assetsBefore, assetsBefore / 100_000n);
      });

      it("the destination short of liquidity: VaultRefinanceDestinationShort, nothing moved, the change still pending", async function () {
        const w = await loadFixture(fixture);
        await proposeAndWait(w, to);
        const debt = (await w.vault.position()).debt;
        await shortenDestination(w, to, "liquidity", debt);
        const kept = await snapshot(w, from);
        await expect(accept(w))
          .to.be.revertedWithCustomError(w.vault, "VaultRefinanceDestinationShort")
          .withArgs((needed: bigint) => needed >= debt, (available: bigint) => available < debt);
        expect(await snapshot(w, from)).to.deep.equal(kept);
      });

      if (to === "aave") {
        it("the destination short of supply room (Aave's cap): VaultRefinanceDestinationShort, nothing moved", async function () {
          const w = await loadFixture(fixture);
          await proposeAndWait(w, to);
          const collateral = (await w.vault.position()).collateral;
          await shortenDestination(w, to, "supply", collateral);
          const kept = await snapshot(w, from);
          await expect(accept(w))
            .to.be.revertedWithCustomError(w.vault, "VaultRefinanceDestinationShort")
            .withArgs(collateral, (available: bigint) => available < collateral);
          expect(await snapshot(w, from)).to.deep.equal(kept);
        });
      }
    });
  }
}

/**
 * Takes the destination's room below `amount`: Aave's borrow or supply cap set to one whole token through the real
 * PoolConfigurator; Morpho's liquidity withdrawn by its supplier down to half of `amount`.
 */
async function shortenDestination(w: PresetWorld, venue: Venue, what: "liquidity" | "supply", amount: bigint): Promise<void> {
  const { market } = w;
  if (venue === "aave") {
    const configurator = market.configurator.connect(market.deployer) as Contract;
    if (what === "supply") await (await configurator.setSupplyCap(w.collateral.target, 1n)).wait();
    else await (await configurator.setBorrowCap(w.debt.target, 1n)).wait();
    return;
  }
  const params = morphoParams(w);
  const id = morphoMarketId(params);
  const [supplied, , borrowed] = (await w.blue!.morpho.market(id)) as unknown as bigint[];
  const withdraw = supplied - borrowed - amount / 2n;
  await (await (w.blue!.morpho.connect(market.lp) as Contract).withdraw(params, withdraw, 0n, market.lp.address, market.lp.address)).wait();
}

describe("refinance: who may do what", function () {
  async function fixture() {
    return world("eth-long-3x", "aave");
  }

  it("only the owner proposes; the move is pending for the whole timelock, then anyone may accept it", async function () {
    const w = await loadFixture(fixture);
    const target = w.venues!.morpho.implementation;
    await expect(w.vault.connect(w.stranger).proposeVenue(target)).to.be.revertedWithCustomError(w.vault, "VaultUnauthorized");
    await expect(w.vault.proposeVenue(target)).to.emit(w.vault, "ChangeSubmitted");
    const [data, validAt] = await w.vault.pendingChange(ChangeKind.Venue);
    expect(hre.ethers.AbiCoder.defaultAbiCoder().decode(["address"], data)[0]).to.equal(target);
    expect(validAt).to.equal(BigInt(await time.latest()) + (await w.vault.timelock()));
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed").withArgs(validAt);
    await time.increaseTo(validAt - 2n);
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed");
  });

  it("the guardian revokes a proposed move", async function () {
    const w = await loadFixture(fixture);
    await proposeAndWait(w, "morpho");
    await expect(w.vault.revokeChange(ChangeKind.Venue)).to.emit(w.vault, "ChangeRevoked");
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultNoPendingChange").withArgs(ChangeKind.Venue);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
  });

  it("refuses what is not this vault's code on another venue: VaultInvalidVenue", async function () {
    const w = await loadFixture(fixture);
    for (const bad of [w.venues!.aave.implementation, w.stranger.address, ZeroAddress, w.venues!.morpho.module.target as string, w.collateral.target as string]) {
      await expect(w.vault.proposeVenue(bad)).to.be.revertedWithCustomError(w.vault, "VaultInvalidVenue");
    }
  });

  it("a vault not behind a proxy cannot change venue: VaultNotRefinanceable", async function () {
    const standalone = await presetWorld(getPreset("eth-long-3x"));
    const morphoVault = await presetWorld(getPreset("eth-long-3x"), {}, {}, "aave", { refinanceable: true });
    expect(await standalone.vault.venueImplementation()).to.equal(ZeroAddress);
    await expect(standalone.vault.proposeVenue(morphoVault.venues!.morpho.implementation)).to.be.revertedWithCustomError(
      standalone.vault,
      "VaultNotRefinanceable",
    );
  });

  it("a mover's steps outside a move: VaultNotMoving through the vault, KeeperNotDelegated on the mover itself", async function () {
    const w = await loadFixture(fixture);
    const asMover = await hre.ethers.getContractAt("IVenueMover", w.vault.target);
    await expect(asMover.connect(w.stranger).moveOut()).to.be.revertedWithCustomError(w.vault, "VaultNotMoving");
    await expect(asMover.connect(w.stranger).moveIn(w.venues!.morpho.mover, 1n, 1n)).to.be.revertedWithCustomError(w.vault, "VaultNotMoving");
    for (const venue of ["aave", "morpho"] as const) {
      const mover = await hre.ethers.getContractAt("AaveUniswapVenueMover", w.venues![venue].mover);
      await expect(mover.moveOut()).to.be.revertedWithCustomError(mover, "KeeperNotDelegated");
    }
  });

  it("the proxy is initialised once, in its constructor; the implementations' own storage is locked", async function () {
    const w = await loadFixture(fixture);
    const asMover = await hre.ethers.getContractAt("IVenueMover", w.vault.target);
    const params = await w.vault.leverageConfig();
    expect(params.targetLeverage).to.be.gt(0n);
    expect(await w.vault.name()).to.equal(w.settings.name);
    expect(await w.vault.symbol()).to.equal(w.settings.symbol);
    expect(await w.vault.owner()).to.equal(w.market.deployer.address);
    const init = { owner: w.stranger.address, manager: w.stranger.address, guardian: w.stranger.address };
    const { initParams } = await import("../../scripts/lib/deploy/vault");
    const again = initParams(w.settings, init, { collateral: 18, debt: 6 });
    await expect(asMover.connect(w.stranger).initializeProxy("x", "x", again)).to.be.revertedWithCustomError(w.vault, "VaultAlreadyInitialized");
    for (const venue of ["aave", "morpho"] as const) {
      const implementation = await hre.ethers.getContractAt("ILeveredVault", w.venues![venue].implementation);
      await expect(implementation.connect(w.stranger).initialize(again)).to.be.revertedWithCustomError(w.vault, "VaultAlreadyInitialized");
    }
  });
});
