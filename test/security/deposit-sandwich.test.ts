import { expect } from "chai";
import { formatEther, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { VaultWorld } from "../shared/vault";
import { oraclePriceE8 } from "../shared/market-helpers";
import {
  armAttacker,
  bigVaultAfterRally,
  bigVaultAfterRallyAttackerIn,
  gas,
  oneBlock,
  sendSwapTo,
  shareValue,
  walletValue,
} from "./fixtures";

/**
 * Issue 8, finding 3 (FAIR-1): no sequence of calls by one account, pool manipulation included, ends with that
 * account holding more value than it put in at unchanged oracle prices, and the holders do not pay for it.
 *
 * World: a 1,000 WETH vault at 3x after ETH +5% (leverage ~2.74x, inside the band, no keeper action due). Today a
 * deposit re-levers the whole position to target and the holders pay for re-levering their drift, with no
 * DEX-vs-oracle bound: eve pushes the pool up (within the 1% min-out), deposits 0.1 WETH, sells back (all in one
 * block), then redeems. At an 80 bps push eve gains ~1.5 WETH and the holders lose ~2.8 WETH.
 *
 * Allowed: a few raw USDC units of rounding (5e8 wei each) and, for the holders, the interest the debt accrues
 * meanwhile (bounded from the Pool's current borrow rate, x2).
 */
const ROUNDING_WEI = 4n * 10n ** 9n;
const SECONDS_PER_YEAR = 31_536_000n;

async function interestBound(w: VaultWorld, seconds: bigint): Promise<bigint> {
  const { currentVariableBorrowRate } = await w.market.pool.getReserveData(w.market.usdc.target);
  const p = await w.vault.position();
  return (2n * p.debtValue * currentVariableBorrowRate * seconds * 10n ** 18n) / (10n ** 27n * SECONDS_PER_YEAR * p.price) + 1n;
}

async function holdersValue(w: VaultWorld): Promise<bigint> {
  return (await shareValue(w, w.alice.address)) + (await shareValue(w, w.bob.address));
}

describe("security: a user cannot sandwich its own deposit or exit (issue 8 #3, FAIR-1)", () => {
  it("the world: 1,000 WETH at 3x, ETH +5%, leverage ~2.74x inside the band", async () => {
    const w = await loadFixture(bigVaultAfterRally);
    // 1,000 WETH of equity +15% in USD (3 x 5%), in WETH / 1.05: ~1,095 WETH.
    expect(await w.vault.totalAssets()).to.be.closeTo(parseEther("1095"), parseEther("5"));
    const { leverage } = await w.vault.position();
    expect(leverage).to.be.gt(parseEther("2.7")).and.lt(parseEther("2.78"));
  });

  it("without any push, a 0.1 WETH deposit does not re-lever the holders' drift at their cost", async () => {
    const w = await loadFixture(bigVaultAfterRally);
    const { vault, carol } = w;
    const before = await vault.position();
    const holdersBefore = await holdersValue(w);
    const t0 = BigInt(await time.latest());
    await (await vault.connect(carol)["deposit(uint256,address)"](parseEther("0.1"), carol.address)).wait();
    const holdersAfter = await holdersValue(w);
    const interest = await interestBound(w, BigInt(await time.latest()) - t0 + 1n);
    expect(holdersBefore - holdersAfter, `holders lost ${formatEther(holdersBefore - holdersAfter)} WETH`).to.be.lte(
      interest + ROUNDING_WEI,
    );
    // Levered at most to the vault's own leverage: the deposit does not move the position toward 3x.
    expect((await vault.position()).leverage).to.be.lte(before.leverage + 10n ** 13n);
  });

  for (const pushBps of [30n, 50n, 80n]) {
    it(`push the pool ${pushBps} bps up, deposit 0.1 WETH, sell back (one block), redeem: no gain, holders whole`, async () => {
      const w = await loadFixture(bigVaultAfterRally);
      const { vault, stranger: eve, market } = w;
      await armAttacker(w, eve);
      const oracle = await oraclePriceE8(market);
      const putIn = await walletValue(w, eve.address);
      const holdersBefore = await holdersValue(w);
      const t0 = BigInt(await time.latest());

      const ok = await oneBlock(async () => [
        await sendSwapTo(w, eve, (oracle * (10_000n + pushBps)) / 10_000n, oracle),
        await vault.connect(eve)["deposit(uint256,address)"](parseEther("0.1"), eve.address, gas),
        await sendSwapTo(w, eve, oracle, (oracle * (10_000n + pushBps)) / 10_000n),
      ]);
      expect(ok[0] && ok[2], "the attacker's own swaps").to.equal(true);
      const shares = await vault.balanceOf(eve.address);
      if (shares > 0n) await (await vault.connect(eve)["redeem(uint256,address,address)"](shares, eve.address, eve.address)).wait();

      const takenOut = await walletValue(w, eve.address);
      const holdersAfter = await holdersValue(w);
      const interest = await interestBound(w, BigInt(await time.latest()) - t0 + 1n);
      expect(
        takenOut,
        `eve (deposit ${ok[1] ? "went through" : "reverted"}) gained ${formatEther(takenOut - putIn)} WETH, ` +
          `holders lost ${formatEther(holdersBefore - holdersAfter)}`,
      ).to.be.lte(putIn + ROUNDING_WEI);
      expect(holdersBefore - holdersAfter, `holders lost ${formatEther(holdersBefore - holdersAfter)} WETH`).to.be.lte(
        interest + ROUNDING_WEI,
      );
    });
  }

  for (const pushBps of [-80n, 80n]) {
    for (const exit of ["redeem", "withdraw"] as const) {
      it(`mirror on exits: push the pool ${pushBps} bps, ${exit} 10 WETH of shares, swap back (one block): no gain`, async () => {
        const w = await loadFixture(bigVaultAfterRallyAttackerIn);
        const { vault, stranger: eve, market } = w;
        await armAttacker(w, eve);
        const oracle = await oraclePriceE8(market);
        const shares = await vault.balanceOf(eve.address);
        // What eve holds, shares at their oracle value included.
        const putIn = (await walletValue(w, eve.address)) + (await shareValue(w, eve.address));
        const holdersBefore = await holdersValue(w);
        const t0 = BigInt(await time.latest());
        const assets = ((await vault.previewRedeem(shares)) * 999n) / 1000n;

        const pushed = (oracle * (10_000n + pushBps)) / 10_000n;
        const ok = await oneBlock(async () => [
          await sendSwapTo(w, eve, pushed, oracle),
          exit === "redeem"
            ? await vault.connect(eve)["redeem(uint256,address,address)"](shares, eve.address, eve.address, gas)
            : await vault.connect(eve)["withdraw(uint256,address,address)"](assets, eve.address, eve.address, gas),
          await sendSwapTo(w, eve, oracle, pushed),
        ]);
        expect(ok[0] && ok[2], "the attacker's own swaps").to.equal(true);

        const takenOut = (await walletValue(w, eve.address)) + (await shareValue(w, eve.address));
        const holdersAfter = await holdersValue(w);
        const interest = await interestBound(w, BigInt(await time.latest()) - t0 + 1n);
        expect(takenOut, `eve (${exit} ${ok[1] ? "went through" : "reverted"}) gained ${formatEther(takenOut - putIn)}`).to.be.lte(
          putIn + ROUNDING_WEI,
        );
        expect(holdersBefore - holdersAfter, `holders lost ${formatEther(holdersBefore - holdersAfter)} WETH`).to.be.lte(
          interest + ROUNDING_WEI,
        );
      });
    }
  }
});
