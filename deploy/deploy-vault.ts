/**
 * Deploys the vault stack (module, registry, factory, and the KeeperLens `keeper:run` scans through) and one vault,
 * and records the addresses in deployments/<network>.json (scripts/lib/deploy/deployments.ts).
 *
 *   npx hardhat run deploy/deploy-vault.ts --network <name>
 *
 * Live networks: Aave V3 addresses from @bgd-labs/aave-address-book, Uniswap V3 and sequencer feeds from
 * scripts/lib/deploy/addresses.ts; anything can be overridden (deploy/config.ts lists the env vars; VAULT_CONFIG=file.json).
 * Before sending anything it checks that every address has code, that both feeds answer latestRoundData() fresh and
 * that the Uniswap pool exists. A later run on the same network adds a vault to the recorded factory
 * (VAULT_NEW_STACK=true deploys a new stack).
 * Vault defaults: at a 3x target, or when no target is configured, the 3x preset (PRESET_3X: band 2.7x-3.3x, HF floor
 * 1.15, ripcord below 1.08, volatility-aware leverage on, VAULT_VOLATILITY_HORIZON=0 turns it off); any other target
 * starts from defaultSettings(target). Configured fields override the defaults.
 * Chain id 31337 (`hardhat`, `localhost`): the local Aave V3 + Uniswap V3 market is deployed first, so the whole
 * procedure can be rehearsed offline. VAULT_VENUE=morpho there also deploys the local Morpho Blue market of the pair
 * and builds the stack on it: the Morpho module and deployer, the same VaultFactory and registry.
 * VAULT_VENUE=morpho on a live chain borrows on an existing Morpho Blue market chosen by MORPHO_MARKET_ID (the
 * singleton from the address book, or MORPHO_ADDRESS): its params are read on chain (idToMarketParams) and refused,
 * in one line and before any transaction, when the market does not exist, is not the vault's pair, or its LLTV leaves
 * the settings unsafe (scripts/lib/deploy/morpho-market.ts). MORPHO_MARKET_ID on chain 31337 takes the same path
 * against a Morpho Blue already on the node (a rehearsal of the live path), with MARKET_* / ORACLE_* for the rest.
 * The vault is listed in the registry under VAULT_KIND (default: the preset's name, else "custom").
 * VAULT_REFINANCEABLE=1: a refinanceable vault (VaultFactory.createRefinanceableVault, a VaultProxy its owner can move
 * between Aave and Morpho with `vault:refinance`) starting on VAULT_VENUE: both venues' stacks on one registry and lens
 * (the recorded ones reused; on chain 31337 the local Morpho Blue deployed too), each factory's implementation, then
 * the proxy; the record lists the factories per venue and the vault's implementation on each venue.
 *
 * Every setting is checked against the market (Aave's LTV and liquidation threshold of the collateral) and the
 * vault's own bounds before the first transaction (scripts/lib/deploy/preflight.ts). `hardhat run` takes no script
 * flags, so a dry run is asked for through the environment: DRY_RUN=1 runs the whole plan on a snapshot of the chain
 * (in-process network, `hardhat node`, anvil, or a FORK=<network> of a live chain), prints every step with its gas and
 * the total, then reverts to the snapshot and writes no record. On a node without snapshots (a live RPC) it prints the
 * plan and the checks and sends nothing.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { Contract, ZeroAddress, formatUnits } from "ethers";
import type { AaveUniswapVaultModule, KeeperLens, VaultFactory, VaultRegistry } from "../typechain-types";
import { loadDeployConfig, type DeployConfig } from "./config";
import { chainDefaults, missingFields, type OracleAddresses } from "../scripts/lib/deploy/addresses";
import { createVault, deployLens, deployStack, encodeMarkets, vaultInitParams, type Stack } from "../scripts/lib/deploy/deploy";
import { localMorphoMarkets, type MorphoMarketAddresses } from "../scripts/lib/deploy/morpho-vault";
import { describeMorphoMarket, resolveMorphoMarket, type ResolvedMorphoMarket } from "../scripts/lib/deploy/morpho-market";
import { DEFAULT_KIND, VENUE_IDS, bytes32Text, otherVenue } from "../scripts/lib/deploy/venues";
import { MORPHO_LLTV, deployMorpho } from "../scripts/lib/market/morpho";
import {
  deploymentsFile,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../scripts/lib/deploy/deployments";
import { deployMarket } from "../scripts/lib/market/market";
import { LONG_ETH_PAIR, PRESET_3X, localMarketAddresses, localOracleConfig, type MarketAddresses } from "../scripts/lib/deploy/vault";
import { checkVaultSettings, type MarketRisk } from "../scripts/lib/deploy/preflight";
import { availablePresets, getPreset, localDecimals, localPair, presetSettings, type AvailablePreset, type Venue } from "../scripts/lib/deploy/presets";
import { EMODE_ETH, RESERVE_PARAMS } from "../scripts/lib/market/market-config";
import { gas, hf, lev, units } from "../scripts/lib/util/format";

const LOCAL_CHAIN_ID = 31337;
const FEED_ABI = [
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
  "function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)",
];
const ERC20_ABI = ["function decimals() view returns (uint8)", "function symbol() view returns (string)"];
const UNI_FACTORY_ABI = ["function getPool(address, address, uint24) view returns (address)"];
const AAVE_POOL_ABI = [
  "function getConfiguration(address) view returns ((uint256 data))",
  "function getEModeCategoryData(uint8) view returns ((uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, address priceSource, string label))",
];

/**
 * The collateral's LTV and liquidation threshold on the Aave pool (ReserveConfiguration bits 0-15 and 16-31), or the
 * e-mode category's when the vault borrows in one (the vault reads the same).
 */
async function marketRisk(aavePool: string, collateral: string, eModeCategory = 0): Promise<MarketRisk> {
  const pool = new Contract(aavePool, AAVE_POOL_ABI, hre.ethers.provider);
  if (eModeCategory) {
    const category = await pool.getEModeCategoryData(eModeCategory);
    return { ltvBps: Number(category.ltv), liquidationThresholdBps: Number(category.liquidationThreshold) };
  }
  const [config] = await pool.getConfiguration(collateral);
  const data = BigInt(config);
  return { ltvBps: Number(data & 0xffffn), liquidationThresholdBps: Number((data >> 16n) & 0xffffn) };
}

/** A snapshot of a development chain, or undefined where the node has none (a live RPC). */
async function snapshot(): Promise<string | undefined> {
  try {
    return (await hre.network.provider.send("evm_snapshot", [])) as string;
  } catch {
    return undefined;
  }
}

export type { DeploymentRecord };

async function hasCode(address: string) {
  return (await hre.ethers.provider.getCode(address)) !== "0x";
}

/** Refuses to deploy on addresses that cannot work; prints what it checked. */
async function preflight(markets: MarketAddresses | MorphoMarketAddresses, oracle: OracleAddresses, swapFee: number): Promise<void> {
  const { provider } = hre.ethers;
  const problems: string[] = [];
  // Every address field of either venue's markets (not Aave's e-mode category, not Morpho's LLTV).
  const contracts = Object.fromEntries(Object.entries(markets).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const feeds = { collateralFeed: oracle.collateralFeed, debtFeed: oracle.debtFeed };
  const varianceFeed = oracle.varianceFeed && oracle.varianceFeed !== ZeroAddress ? { varianceFeed: oracle.varianceFeed } : {};
  for (const [name, address] of Object.entries({ ...contracts, ...feeds, ...varianceFeed })) {
    if (!(await hasCode(address))) problems.push(`${name} ${address} has no code on this chain`);
  }
  if (oracle.sequencerFeed !== ZeroAddress && !(await hasCode(oracle.sequencerFeed))) {
    problems.push(`sequencerFeed ${oracle.sequencerFeed} has no code on this chain`);
  }
  if (problems.length) throw new Error(`preflight failed: ${problems.join("; ")}`);

  const now = (await provider.getBlock("latest"))!.timestamp;
  for (const [name, address, heartbeat] of [
    ["collateral feed", oracle.collateralFeed, oracle.collateralHeartbeat],
    ["debt feed", oracle.debtFeed, oracle.debtHeartbeat],
  ] as const) {
    const feed = new Contract(address, FEED_ABI, provider);
    try {
      const [decimals, [, answer, , updatedAt]] = await Promise.all([feed.decimals(), feed.latestRoundData()]);
      const description = await feed.description().catch(() => "?");
      const age = now - Number(updatedAt);
      console.log(`  ${name} ${address} (${description}): ${formatUnits(answer, decimals)} USD, ${age} s old, max age ${heartbeat} s`);
      if (answer <= 0n) problems.push(`${name} answered ${answer}`);
      if (age > heartbeat) problems.push(`${name} answer is ${age} s old, above the max age ${heartbeat} s: check the heartbeat`);
    } catch (error) {
      problems.push(
        `${name} ${address} does not answer decimals()/latestRoundData() (${(error as Error).message.split("\n")[0]}): ` +
          `set ORACLE_${name.startsWith("collateral") ? "COLLATERAL" : "DEBT"}_FEED to the Chainlink aggregator proxy`,
      );
    }
  }
  const uniswap = new Contract(markets.uniswapFactory, UNI_FACTORY_ABI, provider);
  const pool: string = await uniswap.getPool(markets.collateralAsset, markets.debtAsset, swapFee);
  if (pool === ZeroAddress) problems.push(`no Uniswap V3 pool for the pair at fee tier ${swapFee}: set VAULT_SWAP_FEE`);
  else console.log(`  Uniswap V3 pool (fee ${swapFee}): ${pool}`);
  if (problems.length) throw new Error(`preflight failed: ${problems.join("; ")}`);
}

async function resolveAddresses(chainId: number, cfg: DeployConfig) {
  const defaults = chainDefaults(chainId, cfg.collateralSymbol, cfg.debtSymbol);
  const markets = { ...defaults.markets, ...cfg.markets };
  const oracle = { ...defaults.oracle, ...cfg.oracle };
  const missing = missingFields(markets, oracle, cfg.venue);
  if (missing.length) {
    const env = missing.map((m) => {
      const [sectionName, key] = m.split(".");
      return `${sectionName === "markets" ? "MARKET_" : "ORACLE_"}${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
    });
    throw new Error(
      `chain ${chainId}: no known value for ${missing.join(", ")}. ` +
        `Set ${env.join(", ")} (or the same fields in VAULT_CONFIG's JSON). The swap router must be Uniswap's original ` +
        `V3 SwapRouter interface (ISwapRouter with deadline), not SwapRouter02.`,
    );
  }
  return { markets: markets as MarketAddresses, oracle: oracle as OracleAddresses };
}

/**
 * The venue's market for the vault's pair: its addresses on a live chain (the address book and config; on Morpho the
 * market MORPHO_MARKET_ID read on chain and checked), the tokens' decimals, and its risk (LTV and liquidation
 * threshold, Morpho's LLTV as both; the local market's own on chain 31337).
 */
async function venueMarket(cfg: DeployConfig, chainId: number, local: boolean, venue: Venue, preset?: AvailablePreset) {
  let resolved: Awaited<ReturnType<typeof resolveAddresses>> | undefined;
  let morphoMarket: ResolvedMorphoMarket | undefined;
  const collateralKey = (preset?.collateral ?? "WETH") as keyof typeof RESERVE_PARAMS;
  // The local market's decimals (WETH 18, USDC 6); read from the tokens on a live chain.
  let decimals = preset ? localDecimals(preset) : { collateral: 18, debt: 6 };
  // Morpho has one LLTV (max LTV and liquidation threshold at once); the local markets' (WETH/USDC, wstETH/WETH).
  const lltvBps = Number((collateralKey === "wstETH" ? MORPHO_LLTV.wstethWeth : MORPHO_LLTV.wethUsdc) / 10n ** 14n);
  let risk: MarketRisk = venue === "morpho"
    ? { ltvBps: lltvBps, liquidationThresholdBps: lltvBps }
    : preset?.eMode
    ? { ltvBps: EMODE_ETH.ltv, liquidationThresholdBps: EMODE_ETH.liquidationThreshold }
    : {
        ltvBps: Number(RESERVE_PARAMS[collateralKey].ltv),
        liquidationThresholdBps: Number(RESERVE_PARAMS[collateralKey].liquidationThreshold),
      };
  if (!local) {
    resolved = await resolveAddresses(chainId, { ...cfg, venue });
    const token = (a: string) => new Contract(a, ERC20_ABI, hre.ethers.provider);
    decimals = {
      collateral: Number(await token(resolved.markets.collateralAsset).decimals()),
      debt: Number(await token(resolved.markets.debtAsset).decimals()),
    };
    if (venue === "morpho") {
      // The market chosen by its id: read on chain and checked (exists, the vault's pair); its LLTV is the risk.
      const pairName = `${preset?.collateral ?? cfg.collateralSymbol}/${preset?.debt ?? cfg.debtSymbol}`;
      morphoMarket = await resolveMorphoMarket(hre.ethers.provider, {
        chainId,
        marketId: cfg.morpho.marketId,
        morphoAddress: cfg.morpho.address,
        collateralAsset: resolved.markets.collateralAsset,
        debtAsset: resolved.markets.debtAsset,
        pairName,
      });
      console.log(describeMorphoMarket(morphoMarket, pairName));
      risk = morphoMarket.risk;
    } else {
      const eModeCategory = resolved.markets.eModeCategory || (preset?.eMode ? 1 : 0);
      risk = await marketRisk(resolved.markets.aavePool, resolved.markets.collateralAsset, eModeCategory);
    }
  }
  return { resolved, morphoMarket, decimals, risk };
}

/** The risk numbers of a venue, as the refusals name them. */
const describeRisk = (venue: Venue, risk: MarketRisk) =>
  venue === "morpho" ? `Morpho LLTV ${risk.liquidationThresholdBps} bps` : `LTV ${risk.ltvBps} bps, liquidation threshold ${risk.liquidationThresholdBps} bps`;

/**
 * The vault's settings from the config (the 3x preset at a 3x or unset target), checked against the market's LTV and
 * liquidation threshold (read from the Aave pool; the local market's own on chain 31337) before any transaction.
 */
async function checkedSettings(cfg: DeployConfig, chainId: number, local: boolean, deployer: string, preset?: AvailablePreset) {
  const venue: Venue = cfg.venue;
  const { resolved, morphoMarket, decimals, risk } = await venueMarket(cfg, chainId, local, venue, preset);
  const base = preset
    ? presetSettings(preset, { stopLoss: cfg.ethStopLoss, takeProfit: cfg.ethTakeProfit }, {}, venue)
    : cfg.vault.targetLeverage === undefined || cfg.vault.targetLeverage === 3
      ? PRESET_3X
      : {};
  const init = vaultInitParams(deployer, {
    settings: { ...base, ...cfg.vault },
    roles: cfg.roles,
    salt: cfg.salt,
    decimals,
    collateralSymbol: preset?.collateral ?? cfg.collateralSymbol,
    kind: cfg.kind ?? preset?.name ?? DEFAULT_KIND,
  });
  const { settings } = init;
  const refused = checkVaultSettings(settings, risk);
  if (refused.length) {
    // One line: every problem, separated by "; ".
    throw new Error(`settings refused before any transaction (market: ${describeRisk(venue, risk)}): ${refused.join("; ")}`);
  }
  if (preset) console.log(`Preset ${preset.name}: ${preset.description}`);
  console.log(
    `Settings checked: target ${settings.targetLeverage}x (band ${settings.minLeverage}-${settings.maxLeverage}x), HF floor ${settings.minHealthFactor}, ` +
      (venue === "morpho" ? `Morpho LLTV ${risk.liquidationThresholdBps} bps` : `market LTV ${risk.ltvBps} bps, liquidation threshold ${risk.liquidationThresholdBps} bps`),
  );
  return { resolved, morphoMarket, decimals, ...init };
}

/** DRY_RUN: the gas of every transaction since `startBlock`, then back to the snapshot; no record written. */
async function endDryRun(startBlock: number, snapshotId: string): Promise<void> {
  const { provider } = hre.ethers;
  const endBlock = await provider.getBlockNumber();
  let total = 0n;
  let count = 0;
  for (let b = startBlock + 1; b <= endBlock; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      total += receipt?.gasUsed ?? 0n;
      count += 1;
    }
  }
  await hre.network.provider.send("evm_revert", [snapshotId]);
  console.log(
    `DRY RUN: ${count} transaction(s), ${gas(total)} gas in all; reverted to block ${await provider.getBlockNumber()}, ` +
      `no deployment record written. Run again without DRY_RUN to deploy.`,
  );
}

/** The stack: the recorded (or VAULT_FACTORY) factory reused, with its lens (deployed if none), else a new one. */
async function stackFor(
  cfg: DeployConfig,
  markets: MarketAddresses | MorphoMarketAddresses,
  oracle: OracleAddresses,
  deployer: Awaited<ReturnType<typeof hre.ethers.getSigners>>[number],
  previous: DeploymentRecord | undefined,
): Promise<Pick<Stack, "module" | "registry" | "factory" | "lens">> {
  const { ethers, network } = hre;
  const factoryAddress = cfg.factory ?? (cfg.newStack ? undefined : previous?.factory);
  if (factoryAddress) {
    if (!(await hasCode(factoryAddress))) throw new Error(`factory ${factoryAddress} has no code on '${network.name}'`);
    const factory = (await ethers.getContractAt("VaultFactory", factoryAddress, deployer)) as unknown as VaultFactory;
    const registry = (await ethers.getContractAt("VaultRegistry", await factory.REGISTRY(), deployer)) as unknown as VaultRegistry;
    const module = (await ethers.getContractAt("AaveUniswapVaultModule", await factory.MODULE(), deployer)) as unknown as AaveUniswapVaultModule;
    if ((await factory.VENUE()) !== VENUE_IDS[cfg.venue] || (await factory.markets()) !== encodeMarkets(cfg.venue, markets)) {
      throw new Error(`factory ${factoryAddress} serves other markets or another venue; set VAULT_NEW_STACK=true to deploy a new stack`);
    }
    console.log(`Reusing factory ${factoryAddress} (registry ${registry.target}, module ${module.target})`);
    // The keeper's lens is stateless: reuse the one recorded with this registry, else deploy one.
    const recordedLens = previous?.registry === registry.target ? previous.lens : undefined;
    let lens: KeeperLens;
    if (recordedLens && (await hasCode(recordedLens))) {
      lens = (await ethers.getContractAt("KeeperLens", recordedLens, deployer)) as unknown as KeeperLens;
      console.log(`Reusing KeeperLens ${recordedLens}`);
    } else {
      lens = await deployLens(ethers, deployer);
      const receipt = await lens.deploymentTransaction()?.wait();
      console.log(`  lens     ${lens.target}  gas ${receipt ? gas(receipt.gasUsed) : "?"}`);
    }
    return { module, registry, factory, lens };
  } else {
    const stack = await deployStack(ethers, { markets, oracle, owner: deployer, venue: cfg.venue });
    for (const [name, c] of Object.entries({
      module: stack.module,
      registry: stack.registry,
      factory: stack.factory,
      lens: stack.lens,
    })) {
      const receipt = await c.deploymentTransaction()?.wait();
      console.log(`  ${name.padEnd(8)} ${c.target}  gas ${receipt ? gas(receipt.gasUsed) : "?"}`);
    }
    return stack;
  }
}

/** A stack on one venue: its module, registry, factory and lens. */
type VenueStack = Pick<Stack, "module" | "registry" | "factory" | "lens">;

/** The deployed contracts' gas lines, as the stack's are printed. */
async function printDeployed(contracts: Record<string, { target: unknown; deploymentTransaction(): { wait(): Promise<{ gasUsed: bigint } | null> } | null }>) {
  for (const [name, c] of Object.entries(contracts)) {
    const receipt = await c.deploymentTransaction()?.wait();
    console.log(`  ${name.padEnd(8)} ${c.target}  gas ${receipt ? gas(receipt.gasUsed) : "?"}`);
  }
}

/**
 * The stack of `venue` on `registry` (a refinanceable deployment has one per venue, one registry and lens): the
 * recorded factory when it serves these markets on this registry, else a new module, deployer and factory approved on
 * the registry (its owner must be the deployer).
 */
async function venueStackOn(
  venue: Venue,
  markets: MarketAddresses | MorphoMarketAddresses,
  oracle: OracleAddresses,
  deployer: Awaited<ReturnType<typeof hre.ethers.getSigners>>[number],
  on: { registry: VaultRegistry; lens: KeeperLens },
  recordedFactory?: string,
): Promise<VenueStack> {
  const { ethers } = hre;
  const { registry, lens } = on;
  if (recordedFactory && (await hasCode(recordedFactory))) {
    const factory = (await ethers.getContractAt("VaultFactory", recordedFactory, deployer)) as unknown as VaultFactory;
    if (
      (await factory.VENUE()) === VENUE_IDS[venue] &&
      (await factory.markets()) === encodeMarkets(venue, markets) &&
      (await factory.REGISTRY()) === registry.target
    ) {
      const module = (await ethers.getContractAt("AaveUniswapVaultModule", await factory.MODULE(), deployer)) as unknown as AaveUniswapVaultModule;
      console.log(`Reusing the ${venue} factory ${recordedFactory} (module ${module.target})`);
      return { module, registry, factory, lens };
    }
  }
  const owner = await registry.owner();
  if (owner !== deployer.address) {
    throw new Error(
      `registry ${registry.target} is owned by ${owner}: only its owner can approve a ${venue} factory on it. ` +
        `Deploy from that account, or set VAULT_NEW_STACK=true for a new registry`,
    );
  }
  console.log(`The ${venue} stack on registry ${registry.target}`);
  const stack = await deployStack<Venue>(ethers, { markets, oracle, owner: deployer, venue, registry, lens });
  await printDeployed({ module: stack.module, factory: stack.factory });
  return stack;
}

/**
 * VAULT_REFINANCEABLE: a stack per venue on one registry and lens, the vault's venue first: the recorded (or
 * VAULT_FACTORY) factory of that venue reused, else that venue's stack on the recorded registry, else a new stack;
 * then the other venue's factory on the same registry (the recorded one, else a new one).
 */
async function refinanceStacks(
  cfg: DeployConfig,
  marketsOf: Record<Venue, MarketAddresses | MorphoMarketAddresses>,
  oracle: OracleAddresses,
  deployer: Awaited<ReturnType<typeof hre.ethers.getSigners>>[number],
  previous: DeploymentRecord | undefined,
): Promise<Record<Venue, VenueStack>> {
  const start = cfg.venue;
  const other = otherVenue(start);
  const recorded = (venue: Venue, record = previous) =>
    record ? (record.factories?.[venue] ?? ((record.venue ?? "aave") === venue ? record.factory : undefined)) : undefined;
  const usable = cfg.newStack ? undefined : previous;
  let first: VenueStack;
  if (cfg.factory || recorded(start, usable)) {
    first = await stackFor(cfg, marketsOf[start], oracle, deployer, usable && { ...usable, factory: recorded(start, usable)! });
  } else if (usable?.registry && (await hasCode(usable.registry))) {
    const registry = (await hre.ethers.getContractAt("VaultRegistry", usable.registry, deployer)) as unknown as VaultRegistry;
    const lens =
      usable.lens && (await hasCode(usable.lens))
        ? ((await hre.ethers.getContractAt("KeeperLens", usable.lens, deployer)) as unknown as KeeperLens)
        : await deployLens(hre.ethers, deployer);
    first = await venueStackOn(start, marketsOf[start], oracle, deployer, { registry, lens });
  } else {
    first = await stackFor({ ...cfg, newStack: true }, marketsOf[start], oracle, deployer, undefined);
  }
  const sameRegistry = usable?.registry === first.registry.target ? usable : undefined;
  const second = await venueStackOn(other, marketsOf[other], oracle, deployer, first, recorded(other, sameRegistry));
  return { [start]: first, [other]: second } as Record<Venue, VenueStack>;
}

/** Each factory's refinance implementation, deployed where it is not yet (VaultFactory.deployRefinanceImplementation). */
async function refinanceImplementations(stacks: Record<Venue, VenueStack>): Promise<Record<Venue, string>> {
  const implementations = {} as Record<Venue, string>;
  for (const venue of Object.keys(stacks) as Venue[]) {
    const { factory } = stacks[venue];
    let implementation = await factory.refinanceImplementation();
    if (implementation === ZeroAddress) {
      const receipt = (await (await factory.deployRefinanceImplementation()).wait())!;
      implementation = await factory.refinanceImplementation();
      console.log(`  ${`${venue} implementation`.padEnd(22)} ${implementation}  gas ${gas(receipt.gasUsed)}`);
    } else {
      console.log(`  ${`${venue} implementation`.padEnd(22)} ${implementation}  (deployed before)`);
    }
    implementations[venue] = implementation;
  }
  return implementations;
}

async function main() {
  const cfg = loadDeployConfig();
  // A preset names the pair: its tokens replace the address-book symbols (refused before anything else if unavailable).
  const preset = cfg.preset ? getPreset(cfg.preset) : undefined;
  if (preset) Object.assign(cfg, { collateralSymbol: preset.collateral, debtSymbol: preset.debt });
  if (!preset && (cfg.ethStopLoss !== undefined || cfg.ethTakeProfit !== undefined)) {
    throw new Error("VAULT_ETH_STOP_LOSS / VAULT_ETH_TAKE_PROFIT need VAULT_PRESET (without it, set VAULT_STOP_LOSS_PRICE in debt per collateral)");
  }
  const refinanceable = cfg.refinanceable;
  const other = otherVenue(cfg.venue);
  if (refinanceable && preset && !(preset.venues.aave && preset.venues.morpho)) {
    const both = availablePresets().filter((p) => p.venues.aave && p.venues.morpho).map((p) => p.name);
    throw new Error(
      `VAULT_REFINANCEABLE: preset '${preset.name}' runs only on ${Object.keys(preset.venues).join(", ")}; a refinanceable vault needs both venues ` +
        `(presets on both: ${both.join(", ")}), or unset VAULT_REFINANCEABLE for a plain vault`,
    );
  }
  const { ethers, network } = hre;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const [deployer] = await ethers.getSigners();
  if (!deployer) throw new Error(`no account for network '${network.name}': set DEPLOYER_PRIVATE_KEY in .env`);
  // A refinanceable vault borrows on Morpho on one of its venues, whichever it starts on.
  const usesMorpho = cfg.venue === "morpho" || refinanceable;
  if (!usesMorpho && (cfg.morpho.marketId || cfg.morpho.address)) {
    throw new Error(`MORPHO_MARKET_ID / MORPHO_ADDRESS are for VAULT_VENUE=morpho; the venue is ${cfg.venue}: set VAULT_VENUE=morpho or unset them`);
  }
  if (usesMorpho && cfg.morpho.address && !cfg.morpho.marketId) {
    throw new Error(`MORPHO_ADDRESS needs MORPHO_MARKET_ID=0x<64 hex digits>: the id of the market to borrow on`);
  }
  // The local market is deployed on chain 31337, unless MORPHO_MARKET_ID names a Morpho market already on the node.
  const local = chainId === LOCAL_CHAIN_ID && !(usesMorpho && cfg.morpho.marketId);
  const dryRun = /^(1|true|yes)$/i.test(process.env.DRY_RUN ?? "");
  console.log(`Network '${network.name}' (chain ${chainId}), deployer ${deployer.address}, balance ${formatUnits(await ethers.provider.getBalance(deployer.address))} ETH`);

  let markets: MarketAddresses | MorphoMarketAddresses;
  let oracle: OracleAddresses;
  let localMarket: Record<string, string> | undefined;

  // --- settings, checked before anything is sent ---
  const { resolved, morphoMarket, decimals, settings, roles, salt, params, kind } = await checkedSettings(cfg, chainId, local, deployer.address, preset);
  // A refinanceable vault: the other venue's market resolved (and on a live chain checked) too, the settings read
  // against it. A refusal there is a note, not a stop: the move itself is checked on chain (VaultRefinanceUnhealthy).
  const otherMarket = refinanceable ? await venueMarket(cfg, chainId, local, other, preset) : undefined;
  if (otherMarket) {
    const refusedThere = checkVaultSettings(settings, otherMarket.risk);
    console.log(
      refusedThere.length
        ? `Note: on ${other} (${describeRisk(other, otherMarket.risk)}) these settings would be refused (${refusedThere.join("; ")}): ` +
            `a move there is checked when it runs and refused if the position does not fit (VaultRefinanceUnhealthy)`
        : `Settings also fit ${other} (${describeRisk(other, otherMarket.risk)}): the vault may move there`,
    );
  }
  const snapshotId = dryRun ? await snapshot() : undefined;
  if (dryRun && snapshotId === undefined) {
    const recorded = cfg.factory ?? readDeploymentRecord(network.name)?.factory;
    console.log(
      `DRY RUN on '${network.name}' (no snapshots on this node): checks only, nothing sent. Plan: ` +
        (refinanceable
          ? `${recorded ? "reuse the recorded factory where it serves the venue, else deploy" : "deploy"} the stacks of aave and morpho on one registry, ` +
            `each factory's refinance implementation, then create the refinanceable vault ${settings.name} (${settings.symbol}) on ${cfg.venue}`
          : `${recorded ? "reuse the recorded factory" : "deploy module, registry, factory, KeeperLens"}, ` +
            `then create the vault ${settings.name} (${settings.symbol})`) +
        (morphoMarket ?? otherMarket?.morphoMarket
          ? ` with Morpho Blue market ${(morphoMarket ?? otherMarket!.morphoMarket)!.id} (LLTV ${(morphoMarket ?? otherMarket!.morphoMarket)!.risk.liquidationThresholdBps} bps)`
          : "") +
        `. For the gas, rehearse on a fork: FORK=${network.name} DRY_RUN=1 npx hardhat run deploy/deploy-vault.ts`,
    );
    return;
  }
  const startBlock = await ethers.provider.getBlockNumber();
  if (dryRun) console.log(`DRY RUN: every step below runs on a snapshot of '${network.name}' at block ${startBlock} and is reverted at the end`);
  // Every venue's markets (a refinanceable vault needs both; a plain one its own).
  const marketsOf = {} as Record<Venue, MarketAddresses | MorphoMarketAddresses>;
  if (local) {
    console.log("Local chain: deploying the local Aave V3 + Uniswap V3 market first (real npm bytecode, mock feeds)");
    const m = await deployMarket(ethers);
    const pair = preset ? localPair(preset) : undefined;
    marketsOf.aave = localMarketAddresses(m, pair);
    markets = marketsOf.aave;
    oracle = localOracleConfig(m, pair) as OracleAddresses;
    let morpho: Record<string, string> = {};
    if (usesMorpho) {
      console.log(
        cfg.venue === "morpho"
          ? "VAULT_VENUE=morpho: deploying the local Morpho Blue markets beside it (real bytecode from @morpho-org/morpho-blue)"
          : "VAULT_REFINANCEABLE: deploying the local Morpho Blue markets beside it too (real bytecode from @morpho-org/morpho-blue)",
      );
      const blue = await deployMorpho(ethers, m);
      marketsOf.morpho = localMorphoMarkets(m, blue, { ...(pair ?? LONG_ETH_PAIR), eMode: false });
      if (cfg.venue === "morpho") markets = marketsOf.morpho;
      morpho = { "Morpho Blue": blue.morpho.target as string };
    }
    localMarket = {
      ...morpho,
      PoolAddressesProvider: m.addressesProvider.target as string,
      AaveOracle: m.aaveOracle.target as string,
      "WETH/USDC 0.05% pool": m.uniPool500.target as string,
      "WETH/USDC 0.3% pool": m.uniPool3000.target as string,
      QuoterV2: m.quoter.target as string,
    };
  } else {
    // Aave's addresses as resolved for the Aave venue (a Morpho start does not need the Aave pool itself).
    const aave = (cfg.venue === "aave" ? resolved : (otherMarket?.resolved ?? resolved))!.markets;
    oracle = resolved!.oracle;
    const blue = morphoMarket ?? otherMarket?.morphoMarket;
    // MorphoUniswapMarkets.Markets: the market read on chain, the Uniswap route from the address book / config.
    if (blue) marketsOf.morpho = { ...blue.markets, swapRouter: aave.swapRouter, uniswapFactory: aave.uniswapFactory };
    // Aave V3 Ethereum's "ETH correlated" category (wstETH, WETH, ...); set MARKET_E_MODE_CATEGORY elsewhere.
    marketsOf.aave = preset?.eMode && !aave.eModeCategory ? { ...aave, eModeCategory: 1 } : aave;
    markets = marketsOf[cfg.venue];
    if (preset?.reference === "wstETH/ETH" && (!oracle.varianceFeed || oracle.varianceFeed === ZeroAddress)) {
      throw new Error(
        `preset ${preset.name} needs ORACLE_VARIANCE_FEED: a wstETH/ETH rate feed (its risk is the rate; the wstETH/USD feed's volatility is ETH's)`,
      );
    }
  }
  console.log("Preflight");
  await preflight(markets, oracle, settings.swapFee);
  if (refinanceable) {
    console.log(`Preflight (${other}, where the vault may move)`);
    await preflight(marketsOf[other], oracle, settings.swapFee);
  }

  // --- stack: reuse the recorded (or given) factory, else deploy one; a refinanceable vault needs both venues' ---
  const previous = local ? undefined : readDeploymentRecord(network.name);
  const stacks = refinanceable ? await refinanceStacks(cfg, marketsOf, oracle, deployer, previous) : undefined;
  const stack = stacks ? stacks[cfg.venue] : await stackFor(cfg, markets, oracle, deployer, previous);
  const implementations = stacks ? await refinanceImplementations(stacks) : undefined;

  // --- the vault ---
  const predicted = refinanceable
    ? await stack.factory.predictRefinanceableVaultAddress(deployer.address, settings.name, settings.symbol, params, salt)
    : await stack.factory.predictVaultAddress(deployer.address, settings.name, settings.symbol, params, salt);
  if (await hasCode(predicted)) throw new Error(`a vault with this salt and settings already exists at ${predicted}: set VAULT_SALT`);
  const keepers = cfg.keepers;
  const canSetKeepers = roles.manager === deployer.address;
  if (keepers.length && !canSetKeepers) {
    console.warn(`keepers not set: the manager ${roles.manager} must call setKeeper(keeper, true) itself`);
  }
  const created = await createVault(ethers, stack.factory, deployer, {
    settings,
    roles,
    salt,
    decimals,
    kind: bytes32Text(kind),
    keepers: canSetKeepers ? keepers : [],
    refinanceable,
  });
  const spec = await stack.registry.specOf(created.address);
  console.log(
    `${refinanceable ? "Refinanceable vault" : "Vault"} ${settings.name} (${settings.symbol}) at ${created.address}, gas ${gas(created.receipt.gasUsed)}\n` +
      (implementations
        ? `  a VaultProxy on ${cfg.venue} (implementation ${implementations[cfg.venue]}); its implementation on ${other}: ${implementations[other]}\n`
        : "") +
      `  listed in registry ${stack.registry.target} as kind '${bytes32Text(spec.kind)}' on ${bytes32Text(spec.venue)} (npx hardhat vault:list --kind ${bytes32Text(spec.kind)})\n` +
      `  target ${settings.targetLeverage}x (band ${settings.minLeverage}-${settings.maxLeverage}x), HF floor ${settings.minHealthFactor}, ` +
      `ripcord below ${settings.criticalHealthFactor}, stop-loss ${settings.stopLossPrice || "off"}${preset && cfg.ethStopLoss ? ` (${preset.reference} ${cfg.ethStopLoss}, debt per collateral)` : ""}, ` +
      `owner ${roles.owner}, manager ${roles.manager}, guardian ${roles.guardian}` +
      (keepers.length && canSetKeepers ? `, keepers ${keepers.join(", ")}` : ""),
  );
  const p = await created.vault.position();
  console.log(`  position: leverage ${lev(p.leverage)}, HF ${hf(p.healthFactor)}, NAV ${units(await created.vault.totalAssets(), decimals.collateral)}`);

  if (dryRun) {
    await endDryRun(startBlock, snapshotId!);
    return;
  }

  // A refinanceable deployment keeps the record's vaults as long as the registry is the same (its factories are
  // listed per venue); a plain one as long as the factory is.
  const keep = previous && (refinanceable ? previous.registry === stack.registry.target : previous.factory === stack.factory.target);
  const factories = stacks
    ? { ...(keep ? previous!.factories : {}), aave: stacks.aave.factory.target as string, morpho: stacks.morpho.factory.target as string }
    : keep && previous!.registry === stack.registry.target
      ? previous!.factories
      : undefined;
  const record: DeploymentRecord = {
    network: network.name,
    chainId,
    deployer: deployer.address,
    module: stack.module.target as string,
    registry: stack.registry.target as string,
    factory: stack.factory.target as string,
    lens: stack.lens.target as string,
    venue: cfg.venue,
    ...(factories ? { factories } : {}),
    markets,
    oracle,
    localMarket,
    vaults: [
      ...(keep ? previous!.vaults : []),
      {
        address: created.address,
        name: settings.name,
        symbol: settings.symbol,
        salt,
        kind: bytes32Text(kind),
        creator: deployer.address,
        block: created.receipt.blockNumber,
        ...(implementations ? { venue: cfg.venue, refinanceable: true, implementations } : {}),
        settings: { ...settings, roles, keepers },
      },
    ],
    updatedAt: new Date().toISOString(),
  };
  if (previous && !keep) {
    const backup = deploymentsFile(`${network.name}.${previous.factory.slice(0, 10)}`);
    fs.renameSync(deploymentsFile(network.name), backup);
    console.log(`previous record (factory ${previous.factory}) moved to ${path.relative(process.cwd(), backup)}`);
  }
  const file = writeDeploymentRecord(record);
  console.log(`\nWrote ${path.relative(process.cwd(), file)}`);
  if (network.name === "hardhat") {
    // Nothing to come back to: "Next:" commands would name contracts on a chain that is gone when this script exits.
    console.log(
      "(in-process network: everything above is gone when this script exits. For a chain to come back to: " +
        "`npx hardhat node` in another terminal, then this script with --network localhost)",
    );
    return;
  }
  const net = ` --network ${network.name}`;
  console.log(
    `Next:\n  npx hardhat vault:status --vault ${created.address}${net}\n` +
      `  npx hardhat vault:deposit --vault ${created.address} --amount 1${local ? " --wrap" : ""}${net}\n` +
      `  npx hardhat keeper:run --registry ${stack.registry.target} --lens ${stack.lens.target} --signer ${keepers[0] ?? "<keeper address>"}${net}` +
      (refinanceable ? `\n  npx hardhat vault:refinance --vault ${created.address} --to ${other}${net}   (owner: proposes the move, timelocked)` : "") +
      (keepers.length ? "" : `\n  (allow-list the keeper first: npx hardhat vault:set-keeper --vault ${created.address} --keeper <keeper address>${net})`),
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
