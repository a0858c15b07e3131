import { expect } from "chai";
import fc from "fast-check";
import { parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { vault3x } from "../shared/vault";
import { setMarketPrice } from "../shared/market-helpers";
import { BPS, deposit, driftReleverBound, expectNavMatchesPool, redeem, withdraw } from "../shared/vault-helpers";

/**
 * SHARE-1 as a property: for random sequences of deposits, redeems and withdraws by three holders, no action lowers
 * another holder's oracle value by more than rounding, its share of one second of interest on the debt (at the
 * Pool's current borrow rate) and its share of re-levering its own drift (see fairness.test.ts for the terms), and
 * totalAssets always equals the Pool's own figure. Price
 * moves between actions (real swaps + feed) create the drift a later deposit re-levers.
 */
const ROUNDING_WEI = 10n ** 9n;
const SECONDS_PER_YEAR = 31_536_000n;

/** WETH wei of interest the whole position accrues per second at the current USDC borrow rate (x2 margin). */
async function interestPerSecond(w: Awaited<ReturnType<typeof vault3x>>): Promise<bigint> {
  const { currentVariableBorrowRate } = await w.market.pool.getReserveData(w.market.usdc.target);
  const p = await w.vault.position();
  if (p.price === 0n) return 0n;
  return (2n * p.debtValue * currentVariableBorrowRate * 10n ** 18n) / (10n ** 27n * SECONDS_PER_YEAR * p.price) + 1n;
}

const step = fc.record({
  who: fc.constantFrom(0, 1, 2),
  op: fc.constantFrom("deposit", "redeem", "withdraw", "price"),
  size: fc.integer({ min: 1, max: 9_000 }), // deposit: WETH/100 (0.01..90); exits: bps of the holder's value;
  // price: a move of (size mod 1001 - 500) / 100 % (at most +-5%, inside the band, no keeper needed)
});

describe("vault: fairness property (SHARE-1, fast-check)", () => {
  it("random sequences of entries and exits never move value between holders", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 7 }), async (steps) => {
        const w = await loadFixture(vault3x);
        const users: HardhatEthersSigner[] = [w.alice, w.bob, w.carol];
        for (const s of steps) {
          if (s.op === "price") {
            const move = ((s.size % 1001) - 500) / 10_000;
            const current = Number((await w.vault.position()).price / 10n ** 10n) / 1e8;
            await setMarketPrice(w.market, Math.round(current * (1 + move) * 100) / 100);
            continue;
          }
          const actor = users[s.who];
          const shares = await w.vault.balanceOf(actor.address);
          if (s.op !== "deposit" && shares === 0n) continue;
          const supply = await w.vault.totalSupply();
          const drift = s.op === "deposit" ? await driftReleverBound(w) : 0n;
          const interest = await interestPerSecond(w);
          const before = await Promise.all(users.map(async (u) => w.vault.convertToAssets(await w.vault.balanceOf(u.address))));
          await time.setNextBlockTimestamp((await time.latest()) + 1);
          if (s.op === "deposit") await deposit(w, actor, parseEther(String(s.size / 100)));
          else if (s.op === "redeem") await redeem(w, actor, (shares * BigInt(s.size)) / BPS || 1n);
          else {
            const assets = ((await w.vault.maxWithdraw(actor.address)) * BigInt(s.size)) / BPS;
            if (assets === 0n) continue;
            await withdraw(w, actor, assets);
          }
          for (let i = 0; i < users.length; i++) {
            if (i === s.who) continue;
            const after = await w.vault.convertToAssets(await w.vault.balanceOf(users[i].address));
            const held = await w.vault.balanceOf(users[i].address);
            const own = supply === 0n ? 0n : ((drift + interest) * held) / supply;
            const allowed = ROUNDING_WEI + own;
            if (after < before[i]) expect(before[i] - after, `holder ${i} after ${s.op} by ${s.who}`).to.be.lte(allowed);
          }
          if ((await w.vault.totalSupply()) > 0n) await expectNavMatchesPool(w);
        }
      }),
      { numRuns: 25 },
    );
  });
});
