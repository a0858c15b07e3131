/**
 * Worlds for the suites parameterised over presets (scripts/lib/deploy/presets.ts): the local market, the preset's
 * vault with an allow-listed keeper, two depositors funded in the collateral, and the pair's tokens and pool, so that
 * one test body runs on every kind (long, short, 8-decimal BTC, e-mode loop).
 */
import hre from "hardhat";
import { MaxUint256, type Contract } from "ethers";
import { ASSET_FIELDS, deployMarket, type Market } from "./market";
import { fund } from "./market-helpers";
import {
  deployVault,
  localMarketAddresses,
  localOracleConfig,
  localTokenContract,
  toUnits,
  type DeployedVault,
  type TokenKey,
  type VaultSettings,
} from "../../scripts/lib/deploy/vault";
import { referencePrice, setReferencePrice, advanceTimeAllFeeds } from "../../scripts/lib/market/reference-price";
import { localDecimals, localPair, presetSettings, type Preset, type ReferenceStops, type Venue } from "../../scripts/lib/deploy/presets";
import { deployMorphoVault, localMorphoMarkets } from "../../scripts/lib/deploy/morpho-vault";
import { deployRefinanceableVault, deployVenueImplementation, type VenueImplementation } from "../../scripts/lib/deploy/refinance";
import { deployMorpho, type MorphoBlue } from "../../scripts/lib/market/morpho";

export { availablePresets, getPreset, presetVenues, type Preset, type Venue } from "../../scripts/lib/deploy/presets";

/** USD of collateral each depositor is funded with. */
const FUNDING_USD = 2_000_000;

export interface PresetWorld extends DeployedVault {
  market: Market;
  preset: Preset;
  venue: Venue;
  /** Morpho Blue, when the vault borrows on it or may move to it. */
  blue?: MorphoBlue;
  /** A refinanceable vault (behind a VaultProxy): its implementation on each venue. */
  venues?: Record<Venue, VenueImplementation>;
  /** The reference price at deployment (ETH/USD, BTC/USD or the wstETH/ETH rate). */
  start: number;
  collateral: Contract;
  debt: Contract;
  /** The vault's collateral aToken and variable debt token on Aave (the Aave reserves, whatever the venue). */
  aCollateral: Contract;
  variableDebt: Contract;
  /** What the vault owes on its venue now (raw debt units). */
  debtOf(): Promise<bigint>;
  /** The Uniswap pool the vault trades on (its swap fee tier). */
  uniPool: Contract;
  decimals: { collateral: number; debt: number };
  alice: Market["deployer"];
  bob: Market["deployer"];
  carol: Market["deployer"];
  keeper: Market["deployer"];
  stranger: Market["deployer"];
}

/** The pool of the pair at `fee` (the market's own fields; WETH/USDC has two tiers). */
function pairPool(market: Market, collateral: TokenKey, debt: TokenKey, fee: number): Contract {
  const pair = [collateral, debt].sort().join("/");
  if (pair === "USDC/WETH") return fee === 3000 ? market.uniPool3000 : market.uniPool500;
  if (pair === "USDC/WBTC") return market.uniPoolWbtcUsdc;
  if (pair === "WETH/wstETH") return market.uniPoolWstethWeth;
  throw new Error(`no local pool for ${pair}`);
}

/** The preset's vault on a fresh market; stops in the reference price (see presetSettings). */
export async function presetWorld(
  preset: Preset,
  stops: Partial<ReferenceStops> = {},
  overrides: Partial<VaultSettings> = {},
  venue: Venue = "aave",
  options: { refinanceable?: boolean } = {},
): Promise<PresetWorld> {
  const market = await deployMarket();
  const [alice, bob, carol, keeper, stranger] = market.users;
  const pair = localPair(preset);
  const start = await referencePrice(market, preset.reference);
  const settings = presetSettings(preset, stops, overrides, venue);
  const keepers = [keeper.address];
  const blue = venue === "morpho" || options.refinanceable ? await deployMorpho(hre.ethers, market) : undefined;
  let venues: Record<Venue, VenueImplementation> | undefined;
  let deployed: DeployedVault;
  if (options.refinanceable) {
    const { deployer } = market;
    const oracle = localOracleConfig(market, pair);
    const decimals = localDecimals(preset);
    const morphoMarkets = localMorphoMarkets(market, blue!, { ...pair, eMode: false });
    venues = {
      aave: await deployVenueImplementation(hre.ethers, deployer, "aave", localMarketAddresses(market, pair), oracle, settings, decimals),
      morpho: await deployVenueImplementation(hre.ethers, deployer, "morpho", morphoMarkets, oracle, settings, decimals),
    };
    deployed = await deployRefinanceableVault(hre.ethers, deployer, venues[venue], { settings, decimals, keepers });
  } else if (venue === "morpho") {
    deployed = await deployMorphoVault(hre.ethers, market, blue!, { pair: { ...pair, eMode: false }, settings, keepers });
  } else {
    deployed = await deployVault(hre.ethers, market, { pair, settings, keepers });
  }
  const collateral = localTokenContract(market, pair.collateral);
  const variableDebt = market[ASSET_FIELDS[pair.debt].variableDebt];
  const vaultAddress = deployed.vault.target as string;
  // Morpho: the borrow shares' worth with interest, as the vault reads it (0 once every share is repaid).
  const debtOf = blue || venues
    ? async () => (await deployed.vault.position()).debt
    : async () => (await variableDebt.balanceOf(vaultAddress)) as bigint;
  const world: PresetWorld = {
    ...deployed,
    market,
    preset,
    venue,
    blue,
    venues,
    debtOf,
    start,
    collateral,
    debt: localTokenContract(market, pair.debt),
    aCollateral: market[ASSET_FIELDS[pair.collateral].aToken],
    variableDebt,
    uniPool: pairPool(market, pair.collateral, pair.debt, settings.swapFee),
    decimals: localDecimals(preset),
    alice, bob, carol, keeper, stranger,
  };
  const funding = await collateralFor(world, FUNDING_USD);
  for (const user of [alice, bob, carol]) {
    await fund(market, user.address, { [ASSET_FIELDS[pair.collateral].token]: funding });
    await (await collateral.connect(user).getFunction("approve")(deployed.vault.target, MaxUint256)).wait();
  }
  return world;
}

/** Collateral (raw units) worth `usd` at the vault's oracle price. */
export async function collateralFor(w: Pick<PresetWorld, "vault" | "decimals">, usd: number): Promise<bigint> {
  const price = Number((await w.vault.oraclePrices())[0]) / 1e18;
  return toUnits((usd / price).toFixed(Math.min(8, w.decimals.collateral)), w.decimals.collateral);
}

/** Debt asset (raw units) worth `usd` at the vault's oracle price. */
export async function debtFor(w: Pick<PresetWorld, "vault" | "decimals">, usd: number): Promise<bigint> {
  const price = Number((await w.vault.oraclePrices())[1]) / 1e18;
  return toUnits((usd / price).toFixed(Math.min(8, w.decimals.debt)), w.decimals.debt);
}

/** Mints `amount` raw units of the pair's `leg` token to `to`. */
export async function fundLeg(w: PresetWorld, leg: "collateral" | "debt", to: string, amount: bigint): Promise<void> {
  const key = leg === "collateral" ? w.preset.collateral : w.preset.debt;
  await fund(w.market, to, { [ASSET_FIELDS[key].token]: amount });
}

/** Moves the reference price so that the pair's price (debt per collateral) is `multiple` x what the feed says now. */
export async function movePairPrice(w: PresetWorld, multiple: number): Promise<void> {
  const now = await referencePrice(w.market, w.preset.reference);
  await setReferencePrice(w.market, w.preset.reference, w.preset.direction === 1 ? now * multiple : now / multiple);
}

/** The pair's price (debt per collateral) the feeds give now, as a multiple of the start's. */
export async function pairMultiple(w: PresetWorld): Promise<number> {
  const now = await referencePrice(w.market, w.preset.reference);
  return w.preset.direction === 1 ? now / w.start : w.start / now;
}

export { advanceTimeAllFeeds, referencePrice, setReferencePrice };
