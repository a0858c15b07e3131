/**
 * Refinanceable vaults in tests (IVaultRefinance): a preset's vault behind a VaultProxy with its code on both venues,
 * two depositors in it, and the steps of a move (the owner proposes, the timelock passes with the feeds re-stamped).
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ChangeKind } from "./timelock";
import { advanceTimeAllFeeds, collateralFor, getPreset, presetWorld, type PresetWorld, type Venue } from "./presets";
import hre from "hardhat";
import { deployMorpho, morphoMarketId } from "../../scripts/lib/market/morpho";
import type { PresetName } from "../../scripts/lib/deploy/presets";
import { deployStack, type Stack } from "../../scripts/lib/deploy/deploy";
import { LONG_ETH_PAIR, localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { localMorphoMarkets } from "../../scripts/lib/deploy/morpho-vault";
import type { Market } from "../../scripts/lib/market/market";

/** Each depositor brings this much USD of collateral. */
export const DEPOSIT_USD = 20_000;

/** A refinanceable vault of `preset` on `from`, alice and bob in it. */
export async function refinanceWorld(preset: PresetName, from: Venue): Promise<PresetWorld> {
  const w = await presetWorld(getPreset(preset), {}, {}, from, { refinanceable: true });
  const amount = await collateralFor(w, DEPOSIT_USD);
  for (const user of [w.alice, w.bob]) await (await w.vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
  return w;
}

/**
 * The WETH/USDC factory stacks of both venues on `market` (Morpho Blue deployed beside it), sharing one registry and
 * one keeper lens: what `VAULT_REFINANCEABLE=1 npm run deploy` builds.
 */
export async function venueStacks(market: Market): Promise<Record<Venue, Stack<Venue>>> {
  const blue = await deployMorpho(hre.ethers, market);
  const oracle = localOracleConfig(market);
  const aave = await deployStack<Venue>(hre.ethers, { venue: "aave", markets: localMarketAddresses(market), oracle, owner: market.deployer });
  const morpho = await deployStack<Venue>(hre.ethers, {
    venue: "morpho",
    markets: localMorphoMarkets(market, blue, LONG_ETH_PAIR),
    oracle,
    owner: market.deployer,
    registry: aave.registry,
    lens: aave.lens,
  });
  return { aave, morpho };
}

/** The Morpho market of the vault's pair. */
export function morphoParams(w: PresetWorld) {
  const collateral = w.collateral.target as string;
  return Object.values(w.blue!.markets).find((p) => p.collateralToken === collateral)!;
}

/** What the vault holds on `venue`, read from the venue itself: collateral (token units) and whether it owes. */
export async function heldOn(w: PresetWorld, venue: Venue): Promise<{ collateral: bigint; owes: boolean }> {
  const vault = w.vault.target as string;
  if (venue === "aave") {
    return { collateral: await w.aCollateral.balanceOf(vault), owes: (await w.variableDebt.balanceOf(vault)) !== 0n };
  }
  const [, borrowShares, collateral] = await w.blue!.morpho.position(morphoMarketId(morphoParams(w)), vault);
  return { collateral, owes: borrowShares !== 0n };
}

/** Lets the pending venue move's timelock pass, every feed re-stamped. */
export async function waitOutVenueTimelock(w: PresetWorld): Promise<void> {
  const [, validAt] = await w.vault.pendingChange(ChangeKind.Venue);
  await advanceTimeAllFeeds(w.market, Number(validAt) - (await time.latest()));
}

/** The owner proposes the move to `to`, then the timelock passes. */
export async function proposeAndWait(w: PresetWorld, to: Venue): Promise<void> {
  await (await w.vault.proposeVenue(w.venues![to].implementation)).wait();
  await waitOutVenueTimelock(w);
}
