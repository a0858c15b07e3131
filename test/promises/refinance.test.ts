/**
 * Refinance promises (docs/PROPERTIES.md REFI-1, IVaultRefinance, IVaultManagement.acceptChange) not already in
 * test/refinance/: the accept window's exact edges (validAt, validAt + PENDING_VALIDITY accepted, one second later
 * VaultPendingChangeExpired with nothing moved), the move visible as pendingChange for the whole timelock, the
 * post-conditions read as the interface states them (equity and leverage the same but for rounding, leverage in the
 * band, HF at or above the floor), a re-proposal restarting the clock, collateral donated on the destination, a
 * refusal on a stale price, no fee minted by the move, spoofed flash-loan callbacks through the proxy on either
 * venue's code, a move back proposed at once (timelocked again), a stopped vault moved before its unwind, and a
 * vault that took profit (ProfitTaken) moving with its mode kept.
 */
import { expect } from "chai";
import type { Contract } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ChangeKind } from "../shared/timelock";
import { Mode } from "../shared/keeper";
import { collateralFor, fundLeg, getPreset, presetWorld, type PresetWorld } from "../shared/presets";
import { heldOn, morphoParams, proposeAndWait, refinanceWorld, waitOutVenueTimelock, DEPOSIT_USD } from "../shared/refinance";
import { allFeeds, refreshFeeds } from "../shared/market-helpers";
import { deploySpoofer } from "../shared/vault-helpers";
import hre from "hardhat";
import { AbiCoder, MaxUint256 } from "ethers";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runTask } from "../shared/tasks";
import { deployStack } from "../../scripts/lib/deploy/deploy";
import { localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { advanceTimeAllFeeds, defaultReferencePrice, setReferencePrice } from "../../scripts/lib/market/reference-price";

const WAD = 10n ** 18n;
/** ManagementModule.PENDING_VALIDITY: how long after validAt a pending change may be accepted. */
const PENDING_VALIDITY = 7n * 24n * 3600n;

async function refinanceEthLong(): Promise<PresetWorld> {
  return refinanceWorld("eth-long-3x", "aave");
}

/** A refinanceable eth-long-3x with a take-profit 5 % above the start, alice and bob in. */
async function takeProfitWorld(): Promise<PresetWorld> {
  const w = await presetWorld(getPreset("eth-long-3x"), { takeProfit: defaultReferencePrice("ETH/USD") * 1.05 }, {}, "aave", { refinanceable: true });
  const amount = await collateralFor(w, DEPOSIT_USD);
  for (const user of [w.alice, w.bob]) await (await w.vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
  return w;
}

/** Lets a pending Fees change's timelock pass (feeds re-stamped) and accepts it. */
async function acceptFees(w: PresetWorld): Promise<void> {
  const [, validAt] = await w.vault.pendingChange(ChangeKind.Fees);
  await advanceTimeAllFeeds(w.market, Number(validAt) - (await time.latest()));
  await (await w.vault.acceptChange(ChangeKind.Fees)).wait();
}

function accept(w: PresetWorld) {
  return w.vault.connect(w.stranger).acceptChange(ChangeKind.Venue);
}

/** Re-stamps the feeds just before `at`, so the next transaction lands exactly at `at` with fresh prices. */
async function landAt(w: PresetWorld, at: bigint): Promise<void> {
  await time.increaseTo(at - 100n);
  await refreshFeeds(w.market, allFeeds(w.market));
  expect(BigInt(await time.latest())).to.be.lt(at);
  await time.setNextBlockTimestamp(at);
}

/** The post-conditions IVaultRefinance states, from the destination's own reads. */
async function expectPostConditions(w: PresetWorld, before: Awaited<ReturnType<PresetWorld["vault"]["position"]>>) {
  const after = await w.vault.position();
  const config = await w.vault.leverageConfig();
  expect(after.healthFactor).to.be.gte(config.minHealthFactor);
  // "the equity is the same but for a few raw units of rounding, and so is the leverage" (no swap, no premium).
  expect(after.equityValue).to.be.closeTo(before.equityValue, before.equityValue / 10n ** 9n);
  expect(after.leverage).to.be.closeTo(before.leverage, before.leverage / 10n ** 9n);
  if (before.leverage >= config.minLeverage && before.leverage <= config.maxLeverage) {
    expect(after.leverage).to.be.gte(config.minLeverage).and.lte(config.maxLeverage);
  }
}

describe("promises: refinance (REFI-1, IVaultRefinance)", function () {
  it("the move stays pending, unchanged, up to validAt; accepted at validAt exactly, with the stated post-conditions", async function () {
    const w = await loadFixture(refinanceEthLong);
    await (await w.vault.proposeVenue(w.venues!.morpho.implementation)).wait();
    const proposed = await w.vault.pendingChange(ChangeKind.Venue);
    await landAt(w, proposed[1] - 1n);
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed").withArgs(proposed[1]);
    expect(await w.vault.pendingChange(ChangeKind.Venue)).to.deep.equal(proposed);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    await time.setNextBlockTimestamp(proposed[1]);
    // position() read in the block before: the accept's own block adds one second of interest at most.
    const before = await w.vault.position();
    const supply = await w.vault.totalSupply();
    await expect(accept(w)).to.emit(w.vault, "VenueMoved").withArgs(w.venues!.aave.implementation, w.venues!.morpho.implementation, anyValue, anyValue);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.morpho.implementation);
    expect((await w.vault.pendingChange(ChangeKind.Venue))[1]).to.equal(0n);
    expect(await w.vault.totalSupply()).to.equal(supply);
    await expectPostConditions(w, before);
  });

  it("accepted at validAt + PENDING_VALIDITY exactly; one second later VaultPendingChangeExpired and nothing moves", async function () {
    const w = await loadFixture(refinanceEthLong);
    await (await w.vault.proposeVenue(w.venues!.morpho.implementation)).wait();
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Venue);
    const lastSecond = validAt + PENDING_VALIDITY;
    await landAt(w, lastSecond + 1n);
    const held = await heldOn(w, "aave");
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultPendingChangeExpired").withArgs(lastSecond);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    expect(await heldOn(w, "aave")).to.deep.equal(held);
    expect((await heldOn(w, "morpho")).collateral).to.equal(0n);

    // The same proposal accepted in the window's last second moves.
    const again = await loadFixture(refinanceEthLong);
    await (await again.vault.proposeVenue(again.venues!.morpho.implementation)).wait();
    const [, validAt2] = await again.vault.pendingChange(ChangeKind.Venue);
    await landAt(again, validAt2 + PENDING_VALIDITY);
    await expect(accept(again)).to.emit(again.vault, "VenueMoved");
    expect((await heldOn(again, "aave")).collateral).to.equal(0n);
  });

  it("a move back proposed right after a move waits out the timelock again; then the position is back, shares unchanged", async function () {
    const w = await loadFixture(refinanceEthLong);
    const shares = [await w.vault.balanceOf(w.alice.address), await w.vault.balanceOf(w.bob.address)];
    const start = await heldOn(w, "aave");
    await proposeAndWait(w, "morpho");
    await (await accept(w)).wait();
    await (await w.vault.proposeVenue(w.venues!.aave.implementation)).wait();
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Venue);
    expect(validAt).to.equal(BigInt(await time.latest()) + (await w.vault.timelock()));
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed").withArgs(validAt);
    // The implementation just left is still refused as a target while on it, and the vault is on morpho meanwhile.
    await expect(w.vault.proposeVenue(w.venues!.morpho.implementation)).to.be.revertedWithCustomError(w.vault, "VaultInvalidVenue");
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.morpho.implementation);
    await waitOutVenueTimelock(w);
    const before = await w.vault.position();
    await expect(accept(w)).to.emit(w.vault, "VenueMoved");
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    expect((await heldOn(w, "morpho")).collateral).to.equal(0n);
    expect((await heldOn(w, "morpho")).owes).to.equal(false);
    // Two moves: the collateral back where it was within two units of rounding each way.
    expect((await heldOn(w, "aave")).collateral).to.be.closeTo(start.collateral, 4n);
    expect([await w.vault.balanceOf(w.alice.address), await w.vault.balanceOf(w.bob.address)]).to.deep.equal(shares);
    await expectPostConditions(w, before);
  });

  it("a proposal made again restarts the timelock: the first one's elapsed time does not carry over", async function () {
    const w = await loadFixture(refinanceEthLong);
    await proposeAndWait(w, "morpho");
    await (await w.vault.proposeVenue(w.venues!.morpho.implementation)).wait();
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Venue);
    expect(validAt).to.equal(BigInt(await time.latest()) + (await w.vault.timelock()));
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed").withArgs(validAt);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
  });

  it("collateral donated on the destination before the move (Morpho supplyCollateral onBehalf): the move goes through, the holders gain it", async function () {
    const w = await loadFixture(refinanceEthLong);
    const donation = (await collateralFor(w, DEPOSIT_USD)) / 10n;
    await fundLeg(w, "collateral", w.stranger.address, donation);
    const morpho = w.blue!.morpho.connect(w.stranger) as Contract;
    await (await (w.collateral.connect(w.stranger) as Contract).approve(morpho.target, donation)).wait();
    await (await morpho.supplyCollateral(morphoParams(w), donation, w.vault.target, "0x")).wait();
    expect((await heldOn(w, "morpho")).collateral).to.equal(donation);
    const shares = await w.vault.totalSupply();
    await proposeAndWait(w, "morpho");
    const before = await w.vault.position();
    const assets = await w.vault.totalAssets();
    await expect(accept(w)).to.emit(w.vault, "VenueMoved").withArgs(anyValue, anyValue, before.collateral, anyValue);
    const after = await w.vault.position();
    expect(after.collateral).to.be.closeTo(before.collateral + donation, 2n);
    expect(after.debt).to.be.closeTo(before.debt, 3n);
    expect(after.healthFactor).to.be.gt(before.healthFactor);
    expect(await w.vault.totalSupply()).to.equal(shares);
    expect(await w.vault.totalAssets()).to.be.closeTo(assets + donation, donation / 1000n);
    expect(await heldOn(w, "aave")).to.deep.equal({ collateral: 0n, owes: false });
  });

  it("a stale price at accept refuses the move with the oracle's own error (OracleStale): nothing moved, still pending", async function () {
    const w = await loadFixture(refinanceEthLong);
    await (await w.vault.proposeVenue(w.venues!.morpho.implementation)).wait();
    const pending = await w.vault.pendingChange(ChangeKind.Venue);
    // Two days on, within the validity window, with no feed re-stamped: past every local heartbeat (1 h to 24 h).
    await time.increaseTo(pending[1] + 2n * 24n * 3600n);
    const held = await heldOn(w, "aave");
    await expect(accept(w)).to.be.revertedWithCustomError(w.vault, "OracleStale");
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    expect(await heldOn(w, "aave")).to.deep.equal(held);
    expect(await w.vault.pendingChange(ChangeKind.Venue)).to.deep.equal(pending);
  });

  it("re-entry through the proxy: spoofed flash-loan callbacks on either venue's code (before and after a move) are refused, nothing moves", async function () {
    const w = await loadFixture(refinanceEthLong);
    const spoofer = await deploySpoofer();
    const vault = w.vault.target as string;
    const debt = w.debt.target as string;
    const amount = (await w.vault.position()).debt / 10n;
    const hostile = AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [2, MaxUint256, MaxUint256]);
    const asAave = await hre.ethers.getContractAt(["function executeOperation(address,uint256,uint256,address,bytes) returns (bool)", "function executeOperation(address[],uint256[],uint256[],address,bytes) returns (bool)"], vault);
    const asMorpho = await hre.ethers.getContractAt(["function onMorphoFlashLoan(uint256,bytes)"], vault);
    const attempts = async () => {
      const errors: string[] = [];
      const tries = [
        () => asAave.connect(w.stranger).getFunction("executeOperation(address,uint256,uint256,address,bytes)")(debt, amount, 0n, vault, hostile),
        () => asAave.connect(w.stranger).getFunction("executeOperation(address[],uint256[],uint256[],address,bytes)")([debt], [amount], [0n], vault, hostile),
        () => spoofer.flashLoanTo(w.market.pool.target, vault, debt, amount, 0n, spoofer.target, hostile),
        () => spoofer.flashLoanTo(w.market.pool.target, vault, debt, amount, 2n, vault, hostile),
        () => spoofer.flashLoanSimpleTo(w.market.pool.target, vault, debt, amount, hostile),
        () => asMorpho.connect(w.stranger).getFunction("onMorphoFlashLoan")(amount, hostile),
        () => asMorpho.connect(w.stranger).getFunction("onMorphoFlashLoan")(amount, "0x"),
      ];
      for (const attempt of tries) {
        const position = await w.vault.position();
        await attempt().then(
          () => expect.fail("a spoofed callback went through"),
          (e: Error) => errors.push(/reverted with custom error '([A-Za-z]+)/.exec(e.message)?.[1] ?? (/selector was not recognized/.test(e.message) ? "no such function" : e.message)),
        );
        // Interest accrues per block: the collateral and idle balances exactly, the debt within a block's interest.
        const now = await w.vault.position();
        expect([now.collateral, now.idleCollateral, now.idleDebtAsset]).to.deep.equal([position.collateral, position.idleCollateral, position.idleDebtAsset]);
        expect(now.debt).to.be.closeTo(position.debt, position.debt / 10n ** 6n);
      }
      return errors;
    };
    const onAave = await attempts();
    await proposeAndWait(w, "morpho");
    await (await accept(w)).wait();
    const onMorpho = await attempts();
    const refused = "LendingUnexpectedFlashLoan";
    const absent = "no such function";
    expect(onAave).to.deep.equal([refused, refused, refused, refused, refused, absent, absent]);
    // On Morpho's code the vault has no Aave callback: the Pool's call to it reverts without data.
    const poolCallFails = "Transaction reverted without a reason string";
    expect(onMorpho).to.deep.equal([absent, absent, poolCallFails, poolCallFails, poolCallFails, refused, refused]);
  });

  it("with fees on and time passed, the move itself mints no fee shares (REFI-1: totalSupply unchanged); the fee clock carries over", async function () {
    const w = await loadFixture(refinanceEthLong);
    await (await w.vault.setFeeRecipient(w.carol.address)).wait();
    await (await w.vault.setFees(200, 0)).wait();
    await acceptFees(w);
    await proposeAndWait(w, "morpho");
    const supply = await w.vault.totalSupply();
    const state = await w.vault.feeState();
    const tx = await accept(w);
    await expect(tx).to.emit(w.vault, "VenueMoved");
    await expect(tx).to.not.emit(w.vault, "FeeAccrued");
    await expect(tx).to.not.emit(w.vault, "Transfer");
    expect(await w.vault.feeState()).to.deep.equal(state);
    // totalSupply() counts the fee shares due up to the block read (LeverageVault.totalSupply): one block later it
    // is higher by one second of the 2 % management fee at most, and by nothing else.
    const oneSecond = (supply * 200n) / 10_000n / (365n * 24n * 3600n) + 1n;
    expect((await w.vault.totalSupply()) - supply).to.be.gte(0n).and.lte(2n * oneSecond);
    // The management fee accrued over the timelock is still due, at the next interaction, on the new venue.
    await expect(w.vault.accrueFee()).to.emit(w.vault, "FeeAccrued");
    expect(await w.vault.balanceOf(w.carol.address)).to.be.gt(0n);
  });

  it("stopped (stop()) but not yet unwound: the move keeps StoppedOut, and the keeper's unwind finishes on the destination", async function () {
    const w = await loadFixture(refinanceEthLong);
    await (await w.vault.stop()).wait();
    expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
    await proposeAndWait(w, "morpho");
    const before = await w.vault.position();
    expect(before.debt).to.be.gt(0n);
    await expect(accept(w)).to.emit(w.vault, "VenueMoved");
    expect((await w.vault.automationState()).mode).to.equal(Mode.StoppedOut);
    await expectPostConditions(w, before);
    expect((await w.vault.trigger()).needed).to.equal(true);
    for (let i = 0; i < 6 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
    expect(await w.debtOf()).to.equal(0n);
    expect((await heldOn(w, "morpho")).owes).to.equal(false);
    expect(await heldOn(w, "aave")).to.deep.equal({ collateral: 0n, owes: false });
  });

  it("a vault that took profit (ProfitTaken) moves its unwound position and stays ProfitTaken; the holders exit", async function () {
    const w = await loadFixture(takeProfitWorld);
    await advanceTimeAllFeeds(w.market, 3600);
    await setReferencePrice(w.market, "ETH/USD", w.start * 1.08);
    for (let i = 0; i < 6 && (await w.vault.trigger()).needed; i++) await (await w.vault.connect(w.keeper).rebalance()).wait();
    expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    const before = await w.vault.position();
    expect(before.debt).to.equal(0n);
    const assets = await w.vault.totalAssets();
    await proposeAndWait(w, "morpho");
    await expect(accept(w)).to.emit(w.vault, "VenueMoved").withArgs(anyValue, anyValue, before.collateral, 0n);
    expect((await w.vault.automationState()).mode).to.equal(Mode.ProfitTaken);
    expect((await heldOn(w, "morpho")).collateral).to.equal(before.collateral);
    expect(await w.vault.totalAssets()).to.be.closeTo(assets, 2n);
    expect((await w.vault.position()).leverage).to.be.closeTo(WAD, WAD / 1000n);
    for (const user of [w.alice, w.bob]) {
      const shares = await w.vault.balanceOf(user.address);
      await (await w.vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address)).wait();
    }
    expect(await w.vault.totalSupply()).to.equal(0n);
    expect((await heldOn(w, "morpho")).owes).to.equal(false);
  });
});

// Once a defect: vault:status printed the recorded Aave factory's carry for a vault moved to Morpho.
describe("promises: vault:status reads the carry of the venue a refinanced vault runs on now", function () {
  let savedDir: string | undefined;
  before(() => {
    savedDir = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "promise-refi-status-"));
  });
  after(() => {
    if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = savedDir;
  });

  it("after the move to Morpho, vault:status (the record's Aave factory) prints Morpho's carry, not Aave's", async function () {
    const w = await loadFixture(refinanceEthLong);
    const aave = await deployStack(hre.ethers, { markets: localMarketAddresses(w.market), oracle: localOracleConfig(w.market), owner: w.market.deployer });
    fs.writeFileSync(path.join(process.env.DEPLOYMENTS_DIR!, `${hre.network.name}.json`), JSON.stringify({ factory: aave.factory.target, vaults: [] }));
    const onAave = await runTask<{ carry?: unknown }>("vault:status", { vault: w.vault.target as string });
    expect(onAave.result.carry).to.not.equal(undefined); // on Aave: Aave's carry, as documented
    await proposeAndWait(w, "morpho");
    await (await accept(w)).wait();
    const onMorpho = await runTask<{ carry?: { supplyApr: number; borrowApr: number } }>("vault:status", { vault: w.vault.target as string });
    // Morpho does not lend collateral out (no supply rate); the borrow rate is the Morpho market's.
    const [supplyRate, borrowRate] = await w.vault.venueRates();
    expect(supplyRate).to.equal(0n);
    expect(onMorpho.result.carry).to.deep.include({ supplyApr: 0, borrowApr: Number(borrowRate) / 1e16 });
    expect(onMorpho.output).to.match(/carry: .* a year on equity \(WETH supply 0\.00%/);
  });
});
