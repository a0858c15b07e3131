import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import { refreshFeeds, setMarketPrice } from "../shared/market-helpers";
import { ChangeKind, acceptPending } from "../shared/timelock";
import { keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { YEAR, feeWorld, managementWorld, performanceWorld, worth } from "./shared";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const OFFSET = 10n ** 6n;
const plainVault = () => keeperWorld(PRESET_3X_FIXED);

/** The contract's accrual (ILeverageVault.accrueFee), modelled independently: fee shares and the mark after them. */
function modelAccrual(assets: bigint, supply: bigint, mark: bigint, elapsed: bigint, managementBps: bigint, performanceBps: bigint) {
  const a = assets + 1n;
  const s = supply + OFFSET;
  const price = (a * WAD) / s;
  let fee = (a * managementBps * elapsed) / (BPS * YEAR);
  if (price > mark) fee += ((price - mark) * s * performanceBps) / (WAD * BPS);
  if (fee > a - 1n) fee = a - 1n;
  const shares = (fee * s) / (a - fee);
  const after = (a * WAD) / (s + shares);
  return { fee, shares, mark: after > mark ? after : mark };
}

/** Accrues now; returns the shares minted to the recipient and the assets they are worth, read in that block. */
async function accrue(w: Awaited<ReturnType<typeof feeWorld>>) {
  const before = await w.vault.balanceOf(w.carol.address);
  const receipt = (await (await w.vault.accrueFee()).wait())!;
  const minted = (await w.vault.balanceOf(w.carol.address)) - before;
  const assets = await w.vault.totalAssets({ blockTag: receipt.blockNumber });
  return { minted, receipt, assets };
}

/** Shares actually minted (no pending fee): the holders of these worlds. */
async function erc20Supply(w: Awaited<ReturnType<typeof feeWorld>>) {
  let total = 0n;
  for (const who of [w.alice, w.bob, w.carol]) total += await w.vault.balanceOf(who.address);
  return total;
}

describe("fees: management and performance fees accrued as shares (FEE-*)", () => {
  it("FEE-5: a year at 2 %/yr and 20 % on a calm rising path: the recipient's shares are worth what the rates say", async () => {
    const w = await loadFixture(feeWorld);
    let state = await w.vault.feeState();
    let mark = state.feeSharePriceMark;
    let last = state.lastAccrual;
    let supply = await w.vault.totalSupply();
    let charged = 0n; // assets the rates say, at each accrual
    for (let month = 1; month <= 12; month++) {
      await time.increase(Number(YEAR / 12n) - 3);
      await setMarketPrice(w.market, 2000 + 10 * month); // +0.5 % a month
      await refreshFeeds(w.market);
      const { minted, receipt, assets } = await accrue(w);
      const at = BigInt((await receipt.getBlock()).timestamp);
      const expected = modelAccrual(assets, supply, mark, at - last, 200n, 2000n);
      expect(minted, `month ${month}`).to.equal(expected.shares);
      // Worth, right after minting, the fee in assets the rates give (rounding: a few wei).
      const value = (minted * (assets + 1n)) / (supply + minted + OFFSET);
      expect(value, `month ${month} value`).to.be.closeTo(expected.fee, 2n);
      charged += expected.fee;
      state = await w.vault.feeState();
      expect(state.feeSharePriceMark).to.equal(expected.mark);
      [mark, last, supply] = [expected.mark, at, supply + minted];
    }
    // Over the year: the management fee alone is ~2 % of assets; with the gains the total is above it.
    const assets = await w.vault.totalAssets();
    expect(charged).to.be.gt((assets * 190n) / BPS);
    // Each batch was worth its fee when minted and has shared the later gains since (the price rose ~5 %, 3x).
    const value = await worth(w.vault, w.carol.address);
    expect(value).to.be.gte(charged - 24n);
    expect(value).to.be.lte((charged * 115n) / 100n);
  });

  it("FEE-5: a year at 2 %/yr on a flat price: the recipient's shares are worth 2 % of the assets, within rounding", async () => {
    const w = await loadFixture(managementWorld);
    const start = (await w.vault.feeState()).lastAccrual;
    await time.increase(Number(YEAR) - 2);
    await refreshFeeds(w.market);
    const { minted, receipt, assets } = await accrue(w);
    const elapsed = BigInt((await receipt.getBlock()).timestamp) - start;
    expect(elapsed).to.be.closeTo(YEAR, 2n);
    const expectedFee = ((assets + 1n) * 200n * elapsed) / (BPS * YEAR);
    expect(await w.vault.convertToAssets(minted)).to.be.closeTo(expectedFee, 3n);
    await expect(receipt).to.emit(w.vault, "FeeAccrued").withArgs(w.carol.address, minted, (await w.vault.feeState()).feeSharePriceMark);
  });

  it("FEE-1: no performance fee on a loss", async () => {
    const w = await loadFixture(performanceWorld);
    await time.increase(3600);
    await setMarketPrice(w.market, 1900);
    const { minted } = await accrue(w);
    expect(minted).to.equal(0n);
  });

  it("FEE-2: nothing charged across a drawdown and its recovery; only the gain above the fee mark afterwards", async () => {
    const w = await loadFixture(performanceWorld);
    await setMarketPrice(w.market, 2100);
    const peak = await accrue(w);
    expect(peak.minted).to.be.gt(0n);
    const markAtPeak = (await w.vault.feeState()).feeSharePriceMark;
    await setMarketPrice(w.market, 1800);
    expect((await accrue(w)).minted).to.equal(0n);
    expect((await w.vault.feeState()).feeSharePriceMark).to.equal(markAtPeak);
    // Recovery to the peak price: the counterfactual without the mark would charge 20 % of the 1800 -> 2100 gain.
    await setMarketPrice(w.market, 2100);
    const supply = await erc20Supply(w);
    const recovered = await accrue(w);
    const naive = modelAccrual(recovered.assets, supply, 0n, 0n, 0n, 2000n); // vs a mark at zero: all of it
    expect(recovered.minted).to.be.lte(naive.shares / 100_000n); // interest only, if anything
    // Above the peak, only the new gain is charged.
    await setMarketPrice(w.market, 2200);
    const mark = (await w.vault.feeState()).feeSharePriceMark;
    const supplyBefore = await erc20Supply(w);
    const above = await accrue(w);
    expect(above.minted).to.equal(modelAccrual(above.assets, supplyBefore, mark, 0n, 0n, 2000n).shares);
    expect(above.minted).to.be.gt(0n);
  });

  it("FEE-3: the management fee does not depend on how often anyone accrues (within (rate x time)^2 / 2)", async () => {
    const often = await loadFixture(managementWorld);
    const start = await time.latest();
    for (let month = 1; month <= 12; month++) {
      await time.increaseTo(start + Number((YEAR * BigInt(month)) / 12n) - 1);
      await refreshFeeds(often.market);
      if (month < 12) await (await often.vault.accrueFee()).wait();
    }
    await time.setNextBlockTimestamp(start + Number(YEAR) + 10);
    const oftenAccrued = await accrue(often);
    const oftenValue = await worth(often.vault, often.carol.address);

    const once = await loadFixture(managementWorld);
    await time.increaseTo(start + Number(YEAR) - 1);
    await refreshFeeds(once.market);
    await time.setNextBlockTimestamp(start + Number(YEAR) + 10);
    const onceAccrued = await accrue(once);
    const onceValue = await worth(once.vault, once.carol.address);

    const assets = onceAccrued.assets;
    // Compounding (the recipient's own shares pay the fee too) plus the drift of the base over the year.
    const drift = assets > oftenAccrued.assets ? assets - oftenAccrued.assets : oftenAccrued.assets - assets;
    const bound = (assets * 2n) / 10_000n + (drift * 200n) / BPS + 10n;
    expect(onceValue > oftenValue ? onceValue - oftenValue : oftenValue - onceValue).to.be.lte(bound);
    expect(oftenValue).to.be.gt((assets * 195n) / BPS);
  });

  it("FEE-4: totalSupply, conversions and previews include what accrued up to the block, before anyone accrues", async () => {
    const w = await loadFixture(managementWorld);
    const minted = await w.vault.balanceOf(w.carol.address);
    const aliceShares = await w.vault.balanceOf(w.alice.address);
    await time.increase(30 * 24 * 3600);
    await refreshFeeds(w.market);
    // Pending: not minted yet, but counted.
    const supplyView = await w.vault.totalSupply();
    const erc20Supply = aliceShares + minted; // alice and the recipient hold them all
    expect(supplyView).to.be.gt(erc20Supply);
    const previewView = await w.vault.previewRedeem(aliceShares);
    const valueView = await w.vault.convertToAssets(aliceShares);
    await (await w.vault.accrueFee()).wait(); // one second later
    const perSecond = (2n * (supplyView - erc20Supply)) / (30n * 24n * 3600n) + 2n;
    expect(await w.vault.totalSupply()).to.be.closeTo(supplyView, perSecond);
    expect(await w.vault.balanceOf(w.carol.address)).to.be.closeTo(supplyView - aliceShares, perSecond);
    const valueAfter = await w.vault.convertToAssets(aliceShares);
    expect(valueView).to.be.closeTo(valueAfter, valueAfter / 1_000_000n);
    // PREVIEW-1 holds with the fee: redeeming pays at least the preview made before the accrual.
    const paid = await w.vault.connect(w.alice)["redeem(uint256,address,address)"].staticCall(aliceShares, w.alice.address, w.alice.address);
    expect(paid).to.be.gte((previewView * 999_999n) / 1_000_000n);
  });

  it("every entry point accrues first: a deposit after a month mints the fee before pricing the new shares", async () => {
    const w = await loadFixture(managementWorld);
    await time.increase(30 * 24 * 3600);
    await refreshFeeds(w.market);
    const tx = w.vault.connect(w.bob)["deposit(uint256,address)"](10n ** 18n, w.bob.address);
    await expect(tx).to.emit(w.vault, "FeeAccrued");
    expect(await w.vault.balanceOf(w.carol.address)).to.be.gt(0n);
  });
});

describe("fees: settings, caps and the timelock (VaultFeeAboveCap, VaultZeroFeeRecipient, ROLE-2)", () => {
  it("raising a fee waits out the timelock; lowering applies at once", async () => {
    const w = await loadFixture(plainVault);
    await (await w.vault.setFeeRecipient(w.carol.address)).wait();
    await expect(w.vault.setFees(100, 1000)).to.emit(w.vault, "ChangeSubmitted");
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Fees);
    expect(validAt).to.be.gt(0n);
    expect((await w.vault.feeConfig()).managementFeeBps).to.equal(0n);
    await expect(w.vault.acceptChange(ChangeKind.Fees)).to.be.revertedWithCustomError(w.vault, "VaultTimelockNotElapsed");
    await acceptPending(w.vault, w.market);
    expect((await w.vault.feeConfig()).managementFeeBps).to.equal(100n);
    expect((await w.vault.feeConfig()).performanceFeeBps).to.equal(1000n);
    await expect(w.vault.setFees(50, 1000)).to.emit(w.vault, "FeesSet").withArgs(50, 1000);
    expect((await w.vault.pendingChange(ChangeKind.Fees))[1]).to.equal(0n);
  });

  it("the hard caps: VaultFeeAboveCap(management, performance), nothing changed", async () => {
    const w = await loadFixture(plainVault);
    await (await w.vault.setFeeRecipient(w.carol.address)).wait();
    await expect(w.vault.setFees(201, 0)).to.be.revertedWithCustomError(w.vault, "VaultFeeAboveCap").withArgs(201, 0);
    await expect(w.vault.setFees(0, 2001)).to.be.revertedWithCustomError(w.vault, "VaultFeeAboveCap").withArgs(0, 2001);
    expect((await w.vault.pendingChange(ChangeKind.Fees))[1]).to.equal(0n);
  });

  it("no fee without a recipient, and no zero recipient while a fee is set: VaultZeroFeeRecipient", async () => {
    const w = await loadFixture(plainVault);
    await expect(w.vault.setFees(100, 0)).to.be.revertedWithCustomError(w.vault, "VaultZeroFeeRecipient");
    await (await w.vault.setFeeRecipient(w.carol.address)).wait();
    await (await w.vault.setFees(100, 0)).wait();
    await acceptPending(w.vault, w.market);
    await expect(w.vault.setFeeRecipient(ZeroAddress)).to.be.revertedWithCustomError(w.vault, "VaultZeroFeeRecipient");
    expect((await w.vault.feeConfig()).recipient).to.equal(w.carol.address);
  });

  it("a new recipient gets only what accrues after it: the change accrues first", async () => {
    const w = await loadFixture(managementWorld);
    await time.increase(30 * 24 * 3600);
    await refreshFeeds(w.market);
    await expect(w.vault.setFeeRecipient(w.bob.address)).to.emit(w.vault, "FeeAccrued");
    const carolShares = await w.vault.balanceOf(w.carol.address);
    expect(carolShares).to.be.gt(0n);
    expect(await w.vault.balanceOf(w.bob.address)).to.equal(0n);
  });

  it("owner only (VaultUnauthorized); the fee module refuses direct calls (KeeperNotDelegated) and foreign applyFeeChange", async () => {
    const w = await loadFixture(plainVault);
    await expect(w.vault.connect(w.stranger).setFees(1, 1)).to.be.revertedWithCustomError(w.vault, "VaultUnauthorized").withArgs(w.stranger.address);
    await expect(w.vault.connect(w.stranger).setFeeRecipient(w.stranger.address))
      .to.be.revertedWithCustomError(w.vault, "VaultUnauthorized")
      .withArgs(w.stranger.address);
    await expect(w.vault.connect(w.stranger).applyFeeChange(ChangeKind.Fees, "0x", true))
      .to.be.revertedWithCustomError(w.vault, "VaultUnauthorized")
      .withArgs(w.stranger.address);
    const management = await hre.ethers.getContractAt("AaveUniswapManagementModule", await w.module.MANAGEMENT_MODULE());
    const feeModule = await hre.ethers.getContractAt("SettingsModule", await management.SETTINGS_MODULE());
    await expect(feeModule.setFees(0, 0)).to.be.revertedWithCustomError(feeModule, "KeeperNotDelegated");
  });
});

describe("fees: ERC-4626 honesty with fees due (ERC4626-1, PREVIEW-1, MAX-1 with FEE-4)", () => {
  async function monthDue() {
    const w = await loadFixture(feeWorld);
    await time.increase(30 * 24 * 3600);
    await setMarketPrice(w.market, 2050); // a gain: the performance fee is due too
    await refreshFeeds(w.market);
    return w;
  }

  it("deposit mints at least previewDeposit and mint costs at most previewMint, both read before the accrual", async () => {
    const w = await monthDue();
    const assets = 10n ** 19n;
    const preview = await w.vault.previewDeposit(assets);
    const shares = await w.vault.connect(w.bob)["deposit(uint256,address)"].staticCall(assets, w.bob.address);
    expect(shares).to.be.gte(preview);
    const wanted = preview / 2n;
    const cost = await w.vault.previewMint(wanted);
    const paid = await w.vault.connect(w.bob)["mint(uint256,address)"].staticCall(wanted, w.bob.address);
    expect(paid).to.be.lte(cost);
  });

  it("withdraw(maxWithdraw) and redeem(maxRedeem) go through with the fee due, and pay at least the preview", async () => {
    const w = await monthDue();
    const max = await w.vault.maxWithdraw(w.alice.address);
    const burned = await w.vault.connect(w.alice)["withdraw(uint256,address,address)"].staticCall(max, w.alice.address, w.alice.address);
    expect(burned).to.be.lte(await w.vault.previewWithdraw(max));
    const shares = await w.vault.maxRedeem(w.alice.address);
    const preview = await w.vault.previewRedeem(shares);
    await expect(w.vault.connect(w.alice)["redeem(uint256,address,address)"](shares, w.alice.address, w.alice.address))
      .to.emit(w.vault, "FeeAccrued");
    expect(await w.vault.balanceOf(w.alice.address)).to.equal(0n);
    expect(preview).to.be.gt(0n);
  });

  it("a pending raise is validated again when accepted: a recipient removed meanwhile refuses it (VaultZeroFeeRecipient)", async () => {
    const w = await loadFixture(plainVault);
    await (await w.vault.setFeeRecipient(w.carol.address)).wait();
    await (await w.vault.setFees(100, 0)).wait();
    await (await w.vault.setFeeRecipient(ZeroAddress)).wait(); // allowed: both fees are still zero
    const [, validAt] = await w.vault.pendingChange(ChangeKind.Fees);
    await time.increaseTo(validAt);
    await refreshFeeds(w.market);
    await expect(w.vault.acceptChange(ChangeKind.Fees)).to.be.revertedWithCustomError(w.vault, "VaultZeroFeeRecipient");
    expect((await w.vault.feeConfig()).managementFeeBps).to.equal(0n);
  });
});
