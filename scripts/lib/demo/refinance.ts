/**
 * The demo's refinancing step (issue 20): a vault of the same kind behind a VaultProxy, with its code on both venues,
 * moved from the demo's venue to the other after the timelock, in one transaction; rates and the position before and
 * after, then the depositor's exit on the new venue.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MaxUint256, type Contract } from "ethers";
import type { Ethers, Market } from "../market/market";
import { ASSET_FIELDS } from "../market/market";
import { borrowAaveTo, fund } from "../market/market-helpers";
import { advanceTimeAllFeeds } from "../market/reference-price";
import type { MorphoBlue } from "../market/morpho";
import { localMarketAddresses, localOracleConfig, localTokenContract, type PairDecimals, type VaultPair, type VaultSettings } from "../deploy/vault";
import { localMorphoMarkets } from "../deploy/morpho-vault";
import { deployRefinanceableVault, deployVenueImplementation } from "../deploy/refinance";
import type { Venue } from "../deploy/presets";
import { VENUE_KIND, apr, venueOfImplementation } from "../vault/refinance";
import { gas, hf, lev, table, units } from "../util/format";

const NAMES: Record<Venue, string> = { aave: "Aave V3", morpho: "Morpho Blue" };

/** Runs the step and prints it; `depositor` brings `amount` of collateral (raw units). */
export async function refinanceStep(
  ethers: Ethers,
  market: Market,
  blue: MorphoBlue,
  spec: { pair: VaultPair; settings: VaultSettings; decimals: PairDecimals; from: Venue; depositor: HardhatEthersSigner; amount: bigint },
): Promise<void> {
  const { pair, settings, decimals, from, depositor, amount } = spec;
  const to: Venue = from === "aave" ? "morpho" : "aave";
  const oracle = localOracleConfig(market, pair);
  const markets = { aave: localMarketAddresses(market, pair), morpho: localMorphoMarkets(market, blue, { ...pair, eMode: false }) };
  const { deployer } = market;
  const venues = {
    aave: await deployVenueImplementation(ethers, deployer, "aave", markets.aave, oracle, settings, decimals),
    morpho: await deployVenueImplementation(ethers, deployer, "morpho", markets.morpho, oracle, settings, decimals),
  };
  const { vault } = await deployRefinanceableVault(ethers, deployer, venues[from], { settings, decimals });
  const collateral: Contract = localTokenContract(market, pair.collateral);
  await fund(market, depositor.address, { [ASSET_FIELDS[pair.collateral].token]: amount });
  await (await collateral.connect(depositor).getFunction("approve")(vault.target, MaxUint256)).wait();
  await (await vault.connect(depositor)["deposit(uint256,address)"](amount, depositor.address)).wait();

  // The local Aave market is nearly idle (its rate would read 0 %): other borrowers take the debt reserve to 80 %
  // utilisation first, a busy market's rate, so that the move has a reason.
  const [collateralPrice, debtPrice] = await vault.oraclePrices();
  const utilisation =
    from === "aave"
      ? `${((await borrowAaveTo(market, pair, 0.8, { collateral: collateralPrice, debt: debtPrice }, decimals)) * 100).toFixed(0)} %`
      : undefined;

  const C = pair.collateral;
  const row = async (label: string, venue: string, rate: bigint, gasUsed: string) => {
    const p = await vault.position();
    return [label, venue, apr(rate), units(p.collateral, decimals.collateral, 4), units(p.debt, decimals.debt, 2), lev(p.leverage), hf(p.healthFactor), units(await vault.totalAssets(), decimals.collateral, 4), gasUsed];
  };
  const before = await venueOfImplementation(ethers.provider, venues[from].implementation);
  const destination = await venueOfImplementation(ethers.provider, venues[to].implementation);
  const rows = [await row(`${depositor.address.slice(0, 8)}… deposits`, NAMES[from], before.borrowRate, "")];
  await (await vault.proposeVenue(venues[to].implementation)).wait();
  const [, validAt] = await vault.pendingChange(VENUE_KIND);
  const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
  await advanceTimeAllFeeds(market, Number(validAt) - latest);
  const moved = await (await vault.connect(depositor).acceptChange(VENUE_KIND)).wait();
  const after = await venueOfImplementation(ethers.provider, await vault.venueImplementation());
  rows.push(await row("after the move", NAMES[to], after.borrowRate, gas(moved!.gasUsed)));

  console.log(
    `\nRefinancing: a ${settings.symbol} vault behind a VaultProxy, with its code on ${NAMES.aave} and ${NAMES.morpho}. ` +
      `The owner proposes ${NAMES[to]} (proposeVenue, ChangeKind.Venue: the whole timelock, ${Number(await vault.timelock()) / 3600} h, ` +
      `for holders to exit), then anyone executes it in one transaction: ${NAMES[to]}'s debt-opening flash loan repays ${NAMES[from]}, ` +
      `the collateral moves over, the same debt stays open there; no swap. Borrow rate on ${pair.debt} before the move: ` +
      `${NAMES[from]} ${apr(before.borrowRate)}, ${NAMES[to]} ${apr(destination.borrowRate)} a year.\n`,
  );
  if (utilisation) console.log(`(${NAMES.aave}'s ${pair.debt} reserve: ${utilisation} utilised by other borrowers before the move.)\n`);
  console.log(table(["step", "venue", "borrow rate", `collateral ${C}`, `debt ${pair.debt}`, "leverage", "HF", `NAV ${C}`, "gas"], rows));
  const shares = await vault.balanceOf(depositor.address);
  const balance: bigint = await collateral.balanceOf(depositor.address);
  await (await vault.connect(depositor)["redeem(uint256,address,address)"](shares, depositor.address, depositor.address)).wait();
  const received = ((await collateral.balanceOf(depositor.address)) as bigint) - balance;
  console.log(
    `The borrow rate paid went from ${apr(before.borrowRate)} to ${apr(after.borrowRate)} a year (${NAMES[to]}'s own rate rose from ` +
      `${apr(destination.borrowRate)} as the vault's debt raised its utilisation). The depositor then redeems on ${NAMES[to]}: ` +
      `${units(received, decimals.collateral, 4)} ${C} of ${units(amount, decimals.collateral, 4)} deposited.`,
  );
}
