/**
 * The deployed product on the local market: module, registry and factory from scripts/lib/deploy/deploy.ts (the same code
 * the demo and deploy/deploy-vault.ts run), plus funded users, on either venue (`STACK_WORLDS`). Shared by test/factory
 * and test/scripts.
 */
import hre from "hardhat";
import { MaxUint256, parseEther } from "ethers";
import { deployMarket, type Market } from "../shared/market";
import { fund } from "../shared/market-helpers";
import { LONG_ETH_PAIR, PRESET_3X_FIXED, localMarketAddresses, localOracleConfig, type VaultSettings } from "../../scripts/lib/deploy/vault";
import { createVault, deployStack, type CreatedVault, type Stack, type Venue } from "../../scripts/lib/deploy/deploy";
import { localMorphoMarkets } from "../../scripts/lib/deploy/morpho-vault";
import { deployMorpho, type MorphoBlue } from "../../scripts/lib/market/morpho";

export interface StackWorld {
  market: Market;
  stack: Stack<Venue>;
  owner: Market["deployer"];
  alice: Market["deployer"];
  bob: Market["deployer"];
  keeper: Market["deployer"];
  stranger: Market["deployer"];
  /** Morpho Blue, on the morpho venue. */
  blue?: MorphoBlue;
}

export const SETTINGS_3X: Partial<VaultSettings> = {
  ...PRESET_3X_FIXED,
  name: "Levered WETH 3x",
  symbol: "lvWETH3x",
  stopLossPrice: 1500,
};

/** The WETH/USDC stack on `venue`: on morpho, Morpho Blue is deployed beside Aave and its WETH/USDC market used. */
async function venueStackWorld(venue: Venue): Promise<StackWorld> {
  const market = await deployMarket();
  const [alice, bob, keeper, stranger] = market.users;
  const blue = venue === "morpho" ? await deployMorpho(hre.ethers, market) : undefined;
  const stack = await deployStack<Venue>(hre.ethers, {
    venue,
    markets: blue ? localMorphoMarkets(market, blue, LONG_ETH_PAIR) : localMarketAddresses(market),
    oracle: localOracleConfig(market),
    owner: market.deployer,
  });
  for (const user of [alice, bob]) await fund(market, user.address, { weth: parseEther("100") });
  return { market, stack, owner: market.deployer, alice, bob, keeper, stranger, blue };
}

export async function stackWorld(): Promise<StackWorld> {
  return venueStackWorld("aave");
}

export async function morphoStackWorld(): Promise<StackWorld> {
  return venueStackWorld("morpho");
}

/** One fixture per venue (loadFixture needs the same function each time). */
export const STACK_WORLDS: Record<Venue, () => Promise<StackWorld>> = { aave: stackWorld, morpho: morphoStackWorld };

export interface VaultStackWorld extends StackWorld {
  created: CreatedVault;
}

/** The stack plus a 3x vault with a stop at 1500 created by the owner, `keeper` allow-listed, approved by alice and bob. */
export async function vaultStackWorld(): Promise<VaultStackWorld> {
  return withVault(await stackWorld());
}

export async function morphoVaultStackWorld(): Promise<VaultStackWorld> {
  return withVault(await morphoStackWorld());
}

export const VAULT_STACK_WORLDS: Record<Venue, () => Promise<VaultStackWorld>> = { aave: vaultStackWorld, morpho: morphoVaultStackWorld };

async function withVault(world: StackWorld): Promise<VaultStackWorld> {
  const created = await createVault(hre.ethers, world.stack.factory, world.owner, {
    settings: SETTINGS_3X,
    keepers: [world.keeper.address],
    salt: "fixture",
  });
  for (const user of [world.alice, world.bob]) {
    await (await world.market.weth.connect(user).getFunction("approve")(created.address, MaxUint256)).wait();
  }
  return { ...world, created };
}
