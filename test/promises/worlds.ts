/**
 * Worlds for the promise audit (test/promises/): every kind of vault (each preset on each venue it runs on), two
 * holders in, separate manager and guardian, and a preview probe (same-transaction preview vs action) holding the
 * kind's collateral and some shares. One named fixture per kind, shared by every file of this folder, so
 * loadFixture deploys each once per run.
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { pendingChanges } from "../shared/timelock";
import type { VaultPreviewProbe } from "../../typechain-types";
import { allFeeds, refreshFeeds } from "../shared/market-helpers";
import { collateralFor, fundLeg, movePairPrice, presetVenues, presetWorld, type Preset, type PresetWorld, type Venue } from "../shared/presets";

/** USD each holder (alice, bob) deposits; the probe deposits the same and keeps twice as much in hand. */
export const HOLDER_USD = 20_000;

export interface PromiseWorld extends PresetWorld {
  probe: VaultPreviewProbe;
  manager: PresetWorld["alice"];
  guardian: PresetWorld["alice"];
  owner: PresetWorld["alice"];
}

export interface Kind {
  preset: Preset;
  venue: Venue;
  label: string;
  fixture: () => Promise<PromiseWorld>;
}

async function promiseWorld(preset: Preset, venue: Venue): Promise<PromiseWorld> {
  const w = await presetWorld(preset, {}, {}, venue);
  const signers = await hre.ethers.getSigners();
  // Signers after the market's users (deployer, lp, arbitrageur, liquidator, alice, bob, carol, keeper, stranger).
  const [manager, guardian] = signers.slice(9, 11);
  const amount = await collateralFor(w, HOLDER_USD);
  for (const user of [w.alice, w.bob]) await (await w.vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
  const factory = await hre.ethers.getContractFactory("VaultPreviewProbe");
  const probe = (await factory.deploy(w.vault.target)) as unknown as VaultPreviewProbe;
  await probe.waitForDeployment();
  await fundLeg(w, "collateral", await probe.getAddress(), amount * 3n);
  await (await probe.deposit(amount)).wait();
  await (await w.vault.setRoles(manager.address, guardian.address)).wait();
  // The new guardian waits out the timelock (ROLE-2); accepted here so that each role is a separate account.
  const [, validAt] = await w.vault.pendingChange(7);
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(validAt)]);
  await (await w.vault.acceptChange(7)).wait();
  await refreshFeeds(w.market, allFeeds(w.market));
  return { ...w, probe, manager, guardian, owner: w.market.deployer };
}

/** Every kind, with its named fixture (loadFixture keys on the function). */
export const KINDS: Kind[] = presetVenues().map(({ preset, venue }) => {
  const label = `${preset.name} on ${venue}`;
  const fixture = { [label]: () => promiseWorld(preset, venue) }[label];
  return { preset, venue, label, fixture };
});

/** Moves to `timestamp` and re-stamps every feed of the market (a timelock is days long). */
export async function jumpTo(w: PresetWorld, timestamp: bigint): Promise<void> {
  await time.increaseTo(timestamp);
  await refreshFeeds(w.market, allFeeds(w.market));
}

/** Lets the timelock pass (every feed re-stamped, unlike test/shared/timelock's) and accepts every pending change. */
export async function acceptAllPending(w: PresetWorld): Promise<void> {
  const pending = await pendingChanges(w.vault);
  const validAt = pending.reduce((max, [, at]) => (at > max ? at : max), 0n);
  await jumpTo(w, validAt);
  for (const [kind] of pending) await (await w.vault.acceptChange(kind)).wait();
}

/** Moves the pair's price (pools, then feeds) against the position until its leverage is `factor` x the band top. */
export async function pushAboveBand(w: PresetWorld, factor: number): Promise<void> {
  const L = Number((await w.vault.position()).leverage) / 1e18;
  const M = (Number((await w.vault.leverageConfig()).maxLeverage) / 1e18) * factor;
  // Equity E(m) = L m - (L - 1) per unit of start equity at a pair-price multiple m: leverage L m / E(m) = M.
  await movePairPrice(w, (M * (L - 1)) / (L * (M - 1)));
}
