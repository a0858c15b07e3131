import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { attempt, describeDust, sendDust, soleHolder3x, type Dust } from "./fixtures";

/**
 * EXIT-1 as a property (issue 8 #2): every holder can redeem all its shares at any time the oracle is fresh,
 * whatever anyone sent to the vault. Random holders (alice's 100 WETH position split with bob and carol by share
 * transfers) and random donations by a stranger: USDC, WETH, aWETH (supplied on the vault's behalf) or debt repaid
 * on its behalf, from 1 wei / 1 raw unit up; then each holder, in a random order, redeems all its shares.
 */
const dust: fc.Arbitrary<Dust> = fc
  .record({
    kind: fc.constantFrom("usdc", "weth", "aweth", "repay"),
    mantissa: fc.integer({ min: 1, max: 9 }),
    exponent: fc.integer({ min: 0, max: 18 }),
  })
  .map(({ kind, mantissa, exponent }) => {
    // Up to ~9 WETH of the collateral kinds, up to ~900k USDC of the debt kinds (the debt is ~400k USDC).
    const e = kind === "usdc" || kind === "repay" ? exponent % 12 : exponent;
    return { kind, amount: BigInt(mantissa) * 10n ** BigInt(e) } as Dust;
  });

const scenario = fc.record({
  bobBps: fc.integer({ min: 0, max: 9_999 }),
  carolBps: fc.integer({ min: 0, max: 9_999 }),
  donations: fc.array(dust, { minLength: 1, maxLength: 4 }),
  order: fc.constantFrom<number[]>([0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]),
});

describe("security: EXIT-1 property, every holder can redeem all its shares whatever was sent (fast-check)", () => {
  it("random holders and random donations never block a full redeem", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ bobBps, carolBps, donations, order }) => {
        const w = await loadFixture(soleHolder3x);
        const { vault, alice, bob, carol, stranger } = w;
        const supply = await vault.totalSupply();
        const toBob = (supply * BigInt(bobBps)) / 10_000n;
        const toCarol = ((supply - toBob) * BigInt(carolBps)) / 10_000n;
        if (toBob > 0n) await (await vault.connect(alice).transfer(bob.address, toBob)).wait();
        if (toCarol > 0n) await (await vault.connect(alice).transfer(carol.address, toCarol)).wait();
        for (const d of donations) await sendDust(w, stranger, d);

        const holders = [alice, bob, carol];
        const failures: string[] = [];
        for (const i of order) {
          const holder = holders[i];
          const shares = await vault.balanceOf(holder.address);
          if (shares === 0n) continue;
          const failure = await attempt(async () => (await vault.connect(holder)["redeem(uint256,address,address)"](shares, holder.address, holder.address)).wait());
          if (failure) failures.push(`holder ${i} (${shares} shares): ${failure}`);
        }
        expect(failures, `after ${donations.map(describeDust).join(" + ")}`).to.deep.equal([]);
        expect(await vault.totalSupply()).to.equal(0n);
      }),
      { numRuns: 25, seed: 20_240_808, endOnFailure: true },
    );
  });
});
