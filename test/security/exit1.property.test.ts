import { expect } from "chai";
import fc from "fast-check";
import { MaxUint256, type Contract } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { attempt } from "./fixtures";
import { collateralFor, debtFor, fundLeg, presetVenues, presetWorld, type Preset, type PresetWorld, type Venue } from "../shared/presets";

/**
 * EXIT-1 as a property (issue 8 #2), on every preset: every holder can redeem all its shares at any time the oracle
 * is fresh, whatever anyone sent to the vault. Random holders (alice's $200,000 position split with bob and carol by
 * share transfers) and random donations by a stranger: the debt asset, the collateral, the collateral supplied on
 * Aave on the vault's behalf, or debt repaid on its behalf, from 1 raw unit up to ~$20,000 of collateral or ~2x the
 * vault's debt; then each holder, in a random order, redeems all its shares.
 */
type DustKind = "debt" | "collateral" | "aCollateral" | "repay";
interface Dust {
  kind: DustKind;
  mantissa: number;
  exponent: number;
}

const dust: fc.Arbitrary<Dust> = fc.record({
  kind: fc.constantFrom<DustKind>("debt", "collateral", "aCollateral", "repay"),
  mantissa: fc.integer({ min: 1, max: 9 }),
  exponent: fc.integer({ min: 0, max: 18 }),
});

const scenario = fc.record({
  bobBps: fc.integer({ min: 0, max: 9_999 }),
  carolBps: fc.integer({ min: 0, max: 9_999 }),
  donations: fc.array(dust, { minLength: 1, maxLength: 4 }),
  order: fc.constantFrom<number[]>([0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]),
});

/** alice alone holds a $200,000 position at the preset's target. */
async function soleHolder(preset: Preset, venue: Venue): Promise<PresetWorld> {
  const w = await presetWorld(preset, {}, {}, venue);
  await (await w.vault.connect(w.alice)["deposit(uint256,address)"](await collateralFor(w, 200_000), w.alice.address)).wait();
  return w;
}

/** `d` in raw units: mantissa x 10^exponent, the exponent wrapped below the kind's cap. */
async function amountOf(w: PresetWorld, d: Dust): Promise<bigint> {
  const debtKind = d.kind === "debt" || d.kind === "repay";
  const cap = debtKind ? await debtFor(w, 2 * 200_000 * ((w.preset.settings.targetLeverage ?? 2) - 1)) : await collateralFor(w, 20_000);
  const digits = cap.toString().length - 1;
  return BigInt(d.mantissa) * 10n ** BigInt(d.exponent % (digits + 1));
}

/** The stranger sends the vault `d`; returns what it sent, for the failure message. */
async function sendDust(w: PresetWorld, d: Dust): Promise<string> {
  const { market, vault, stranger } = w;
  const amount = await amountOf(w, d);
  const pool = market.pool.connect(stranger);
  if (d.kind === "debt" || d.kind === "collateral") {
    await fundLeg(w, d.kind, vault.target as string, amount);
  } else if (d.kind === "aCollateral") {
    await fundLeg(w, "collateral", stranger.address, amount);
    await (await w.collateral.connect(stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
    await (await pool.supply(w.collateral.target, amount, vault.target, 0)).wait();
  } else if (w.blue) {
    // Debt repaid on the vault's behalf on its own venue (at most what it owes: Morpho refuses more).
    const owed = (await vault.position()).debt;
    const repaid = amount < owed ? amount : owed / 2n;
    await fundLeg(w, "debt", stranger.address, repaid);
    await (await w.debt.connect(stranger).getFunction("approve")(w.blue.morpho.target, MaxUint256)).wait();
    const params = Object.values(w.blue.markets).find((p) => p.collateralToken === w.collateral.target)!;
    await (await (w.blue.morpho.connect(stranger) as Contract).repay(params, repaid, 0n, vault.target, "0x")).wait();
  } else {
    await fundLeg(w, "debt", stranger.address, amount);
    await (await w.debt.connect(stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
    await (await pool.repay(w.debt.target, amount, 2, vault.target)).wait();
  }
  return `${amount} raw ${d.kind}`;
}

describe("security: EXIT-1 property on every kind, every holder can redeem all its shares whatever was sent (fast-check)", () => {
  for (const { preset, venue } of presetVenues()) {
    const label = venue === "aave" ? preset.name : `${preset.name} on ${venue}`;
    // A named function per (preset, venue): loadFixture keys on it.
    const fixture = { [label]: () => soleHolder(preset, venue) }[label];
    it(`${label}: random holders and random donations never block a full redeem`, async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ bobBps, carolBps, donations, order }) => {
          const w = await loadFixture(fixture);
          const { vault, alice, bob, carol } = w;
          const supply = await vault.totalSupply();
          const toBob = (supply * BigInt(bobBps)) / 10_000n;
          const toCarol = ((supply - toBob) * BigInt(carolBps)) / 10_000n;
          if (toBob > 0n) await (await vault.connect(alice).transfer(bob.address, toBob)).wait();
          if (toCarol > 0n) await (await vault.connect(alice).transfer(carol.address, toCarol)).wait();
          const sent: string[] = [];
          for (const d of donations) sent.push(await sendDust(w, d));

          const holders = [alice, bob, carol];
          const failures: string[] = [];
          for (const i of order) {
            const holder = holders[i];
            const shares = await vault.balanceOf(holder.address);
            if (shares === 0n) continue;
            const failure = await attempt(async () => (await vault.connect(holder)["redeem(uint256,address,address)"](shares, holder.address, holder.address)).wait());
            if (failure) failures.push(`holder ${i} (${shares} shares): ${failure}`);
          }
          expect(failures, `after ${sent.join(" + ")}`).to.deep.equal([]);
          expect(await vault.totalSupply()).to.equal(0n);
        }),
        { numRuns: 25, seed: 20_240_808, endOnFailure: true },
      );
    });
  }
});
