/**
 * The fee promises on every kind of vault (each preset on each venue), where test/fees/ checks them on the 3x
 * WETH/USDC Aave vault: the NatSpec of ILeverageVault.accrueFee written as an independent model (management fee
 * `totalAssets * managementFeeBps * elapsed / (1e4 * 365 days)`, performance fee `performanceFeeBps` of the share price's
 * gain above `feeSharePriceMark`, minted as the shares worth the fee after minting, share price
 * `(totalAssets + 1) * 1e18 / (totalSupply + 1e6)`), checked to the share on each kind through a rise, a drawdown and
 * a recovery (FEE-1, FEE-2, FEE-5); FEE-4 (`totalSupply()` counts what is due; previews price as the next entry point
 * does) with the probe; setFeeRecipient accrues first, to the previous recipient.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { movePairPrice } from "../shared/presets";
import { allFeeds, refreshFeeds } from "../shared/market-helpers";
import { nextBlock } from "../security/fixtures";
import { KINDS, acceptAllPending, type PromiseWorld } from "./worlds";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const YEAR = 365n * 86_400n;
const VIRTUAL_SHARES = 10n ** 6n;
const MANAGEMENT_BPS = 200n;
const PERFORMANCE_BPS = 2000n;

const mulDiv = (a: bigint, b: bigint, c: bigint) => (a * b) / c;
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** The NatSpec's accrual: fee shares and the mark after them, from the raw supply, the assets and the fee state. */
function modelAccrual(rawSupply: bigint, totalAssets: bigint, mark: bigint, elapsed: bigint) {
  const supply = rawSupply + VIRTUAL_SHARES;
  const assets = totalAssets + 1n;
  const price = mulDiv(assets, WAD, supply);
  let fee = mulDiv(assets, MANAGEMENT_BPS * elapsed, BPS * YEAR);
  const performance = price > mark ? mulDiv(price - mark, supply * PERFORMANCE_BPS, WAD * BPS) : 0n;
  fee = min(fee + performance, assets - 1n);
  const shares = mulDiv(fee, supply, assets - fee);
  return { shares, performance, mark: max(mark, mulDiv(assets, WAD, supply + shares)) };
}

/** Mines a block `seconds` later with every feed re-stamped. */
async function later(w: PromiseWorld, seconds: number): Promise<void> {
  await time.increase(seconds);
  await refreshFeeds(w.market, allFeeds(w.market));
}

for (const kind of KINDS) {
  describe(`promises, fees: ${kind.label}`, function () {
    async function feesOn(w: PromiseWorld) {
      const recipient = (await hre.ethers.getSigners())[11];
      await (await w.vault.connect(w.owner).setFeeRecipient(recipient.address)).wait();
      await (await w.vault.connect(w.owner).setFees(Number(MANAGEMENT_BPS), Number(PERFORMANCE_BPS))).wait();
      await acceptAllPending(w);
      return recipient;
    }

    it("FEE-5 / FEE-1 / FEE-2: each accrual mints the model's shares to the share (a month flat, a rise, a drawdown, a recovery); the mark never falls", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault } = w;
      const recipient = await feesOn(w);
      const marks: bigint[] = [(await vault.feeState()).feeSharePriceMark];
      const performances: bigint[] = [];
      // Each step: move (or not), then accrue in a block whose state was read just before it.
      for (const [label, move, wait] of [
        ["a month flat", 1, 30 * 86_400],
        ["a rise of 4 %", 1.04, 3_600],
        ["a drawdown back", 1 / 1.04, 3_600],
        ["a recovery to the peak price", 1.04, 3_600],
      ] as const) {
        if (move !== 1) await movePairPrice(w, move);
        await later(w, wait);
        const state = await vault.feeState();
        // Raw supply: totalSupply() in a block that accrued already equals the ERC-20 supply (nothing due).
        const read = await nextBlock();
        const [dueSupply, assets] = [await vault.totalSupply(read), await vault.totalAssets(read)];
        const heldBefore = await vault.balanceOf(recipient.address);
        const tx = await vault.accrueFee();
        const at = BigInt((await (await tx.wait())!.getBlock()).timestamp);
        const minted = (await vault.balanceOf(recipient.address)) - heldBefore;
        const rawSupply = (await vault.totalSupply()) - minted; // this block accrued: nothing due
        const model = modelAccrual(rawSupply, assets, state.feeSharePriceMark, at - state.lastAccrual);
        expect(minted, `${label}: fee shares`).to.equal(model.shares);
        expect(dueSupply, `${label}: FEE-4, totalSupply() counted them before the accrual`).to.equal(rawSupply + minted);
        const mark = (await vault.feeState()).feeSharePriceMark;
        expect(mark, `${label}: mark`).to.equal(model.mark);
        marks.push(mark);
        performances.push(model.performance);
      }
      for (let i = 1; i < marks.length; i++) expect(marks[i], "FEE-2: the mark never falls").to.be.gte(marks[i - 1]);
      // FEE-1: nothing on the flat month (interest only) nor on the drawdown; FEE-2: nothing on the recovery to the
      // peak price (the share price there is the peak's less the fee and the interest paid since).
      expect(performances[0], "FEE-1 flat").to.equal(0n);
      expect(performances[1], "a performance fee on the rise").to.be.gt(0n);
      expect(performances[2], "FEE-1 drawdown").to.equal(0n);
      expect(performances[3], "FEE-2 recovery").to.equal(0n);
    });

    it("FEE-4: with fees due, deposit and redeem pay at least their previews and mint and withdraw cost at most theirs (same transaction)", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, probe } = w;
      await feesOn(w);
      await movePairPrice(w, 1.03);
      await later(w, 30 * 86_400);
      const size = (await vault.convertToAssets(await vault.balanceOf(await probe.getAddress()))) / 10n;
      for (const [name, run, ok] of [
        ["deposit", () => probe.deposit(size), (p: bigint, a: bigint) => p <= a],
        ["mint", async () => probe.mint(await vault.previewDeposit(size)), (p: bigint, a: bigint) => p >= a],
        ["redeem", async () => probe.redeem(await vault.convertToShares(size)), (p: bigint, a: bigint) => p <= a],
        ["withdraw", () => probe.withdraw(size), (p: bigint, a: bigint) => p >= a],
      ] as const) {
        const snapshot = await takeSnapshot();
        await (await run()).wait();
        const [p, a] = [await probe.previewed(), await probe.actual()];
        expect(ok(p, a), `${name}: preview ${p}, actual ${a}`).to.equal(true);
        await snapshot.restore();
      }
    });

    it("setFeeRecipient accrues first: what accrued so far goes to the previous recipient, nothing of it to the next", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, owner } = w;
      const first = await feesOn(w);
      const next = (await hre.ethers.getSigners())[12];
      await later(w, 30 * 86_400);
      const held = await vault.balanceOf(first.address);
      await (await vault.connect(owner).setFeeRecipient(next.address)).wait();
      expect((await vault.balanceOf(first.address)) - held, "the month's fee to the previous recipient").to.be.gt(0n);
      expect(await vault.balanceOf(next.address)).to.equal(0n);
      expect((await vault.feeConfig()).recipient).to.equal(next.address);
    });
  });
}
