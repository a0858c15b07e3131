/**
 * The refinance row of the gas benchmark (issue 20): a refinanceable vault of the preset holding the bench's
 * position moves it to the other venue (`acceptChange(ChangeKind.Venue)`, after the timelock), against
 * RefinanceFloorProbe holding the same collateral and debt and moving them with only the calls a move cannot avoid.
 * Both run on the same state (snapshot, run, revert), and so does the guarded floor: the probe's guarded build
 * (GuardedRefinanceFloorProbe, put in place of its code for that transaction) runs `guardedMove`, the same calls plus
 * the refinance's mandated guards (both feeds fresh, the position re-read on the destination).
 */
import { MaxUint256, type ContractTransactionResponse } from "ethers";
import { ASSET_FIELDS, type Ethers, type Market } from "../market/market";
import { fund } from "../market/market-helpers";
import { advanceTimeAllFeeds } from "../market/reference-price";
import { deployMorpho } from "../market/morpho";
import { localMarketAddresses, localOracleConfig, localTokenContract, toUnits } from "../deploy/vault";
import { localMorphoMarkets } from "../deploy/morpho-vault";
import { deployRefinanceableVault, deployVenueImplementation } from "../deploy/refinance";
import { localDecimals, localPair, presetSettings, type Preset, type Venue } from "../deploy/presets";
import { VENUE_KIND } from "../vault/refinance";
import type { GuardedRefinanceFloorProbe, RefinanceFloorProbe } from "../../../typechain-types";
import { POSITION_USD, guardConfig, guardedRuntime, installGuarded, seedFeedHistory } from "./gas";

/** Gas of moving the bench position of `preset` from `from` to the other venue, its floor and its guarded floor. */
export async function benchRefinance(
  ethers: Ethers,
  market: Market,
  preset: Preset,
  from: Venue,
): Promise<{ gas: number; floor: number; guardedFloor: number }> {
  const [user] = market.users;
  const to: Venue = from === "aave" ? "morpho" : "aave";
  const pair = localPair(preset);
  const decimals = localDecimals(preset);
  const settings = presetSettings(preset, {}, { cooldown: 0 }, from);
  const blue = await deployMorpho(ethers, market);
  const oracle = localOracleConfig(market, pair);
  const morphoMarkets = localMorphoMarkets(market, blue, { ...pair, eMode: false });
  const { deployer } = market;
  const venues = {
    aave: await deployVenueImplementation(ethers, deployer, "aave", localMarketAddresses(market, pair), oracle, settings, decimals),
    morpho: await deployVenueImplementation(ethers, deployer, "morpho", morphoMarkets, oracle, settings, decimals),
  };
  const { vault } = await deployRefinanceableVault(ethers, deployer, venues[from], { settings, decimals });
  const collateral = localTokenContract(market, pair.collateral);
  const collateralUsd = Number((await vault.oraclePrices())[0]) / 1e18;
  const units = (usd: number) => toUnits((usd / collateralUsd).toFixed(8), decimals.collateral);
  await seedFeedHistory(market, Number((await vault.volatilityConfig()).rounds));
  await fund(market, user.address, { [ASSET_FIELDS[pair.collateral].token]: units(POSITION_USD * 20) });
  await (await collateral.connect(user).getFunction("approve")(vault.target, MaxUint256)).wait();
  await (await vault.connect(user)["deposit(uint256,address)"](units(POSITION_USD), user.address)).wait();

  const params = Object.values(blue.markets).find((p) => p.collateralToken === morphoMarkets.collateralAsset)!;
  const Probe = await ethers.getContractFactory("RefinanceFloorProbe");
  const probe = (await Probe.deploy(market.pool.target, blue.morpho.target, params)) as unknown as RefinanceFloorProbe;
  await probe.waitForDeployment();
  if (pair.eMode) await (await probe.enterEMode(market.eModeCategory)).wait();
  await (await collateral.connect(user).getFunction("approve")(probe.target, MaxUint256)).wait();
  const position = await vault.position();
  await (await probe.connect(user).open(from === "aave", position.collateral, position.debt)).wait();
  // Its guarded build (no keeper: a refinance is the owner's), put in place for the guarded floor's transaction only.
  const guards = await guardConfig(market, pair, settings, ethers.ZeroAddress);
  const guarded = await guardedRuntime(ethers, "GuardedRefinanceFloorProbe", [market.pool.target, blue.morpho.target, params, guards]);
  const guardedProbe = (await ethers.getContractAt("GuardedRefinanceFloorProbe", probe.target as string)) as unknown as GuardedRefinanceFloorProbe;

  await (await vault.proposeVenue(venues[to].implementation)).wait();
  const [, validAt] = await vault.pendingChange(VENUE_KIND);
  await advanceTimeAllFeeds(market, Number(validAt) - (await ethers.provider.getBlock("latest"))!.timestamp);
  // The probe's debt now, with the interest of the timelock: what its flash loan must repay.
  const probeDebt = from === "aave"
    ? ((await market[ASSET_FIELDS[pair.debt].variableDebt].balanceOf(probe.target)) as bigint)
    : await probe.morphoDebt();
  return {
    gas: await gasOnSnapshot(ethers, () => vault.connect(user).acceptChange(VENUE_KIND)),
    floor: await gasOnSnapshot(ethers, () => probe.move(to === "morpho", probeDebt + probeDebt / 100_000n)),
    guardedFloor: await gasOnSnapshot(ethers, async () => {
      await installGuarded(ethers, probe.target, guarded, ethers.ZeroAddress);
      return guardedProbe.guardedMove(to === "morpho", probeDebt + probeDebt / 100_000n);
    }),
  };
}

async function gasOnSnapshot(ethers: Ethers, op: () => Promise<ContractTransactionResponse>): Promise<number> {
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  const receipt = (await (await op()).wait())!;
  await ethers.provider.send("evm_revert", [snapshot]);
  return Number(receipt.gasUsed);
}
