/**
 * The deployed product on the local market: module, registry and factory from scripts/lib/deploy/deploy.ts (the same code
 * the demo and deploy/deploy-vault.ts run), plus funded users. Shared by test/factory and test/scripts.
 */
import hre from "hardhat";
import { MaxUint256, parseEther } from "ethers";
import { deployMarket, type Market } from "../shared/market";
import { fund } from "../shared/market-helpers";
import { PRESET_3X_FIXED, localMarketAddresses, localOracleConfig, type VaultSettings } from "../../scripts/lib/deploy/vault";
import { createVault, deployStack, type CreatedVault, type Stack } from "../../scripts/lib/deploy/deploy";

export interface StackWorld {
  market: Market;
  stack: Stack;
  owner: Market["deployer"];
  alice: Market["deployer"];
  bob: Market["deployer"];
  keeper: Market["deployer"];
  stranger: Market["deployer"];
}

export const SETTINGS_3X: Partial<VaultSettings> = {
  ...PRESET_3X_FIXED,
  name: "Levered WETH 3x",
  symbol: "lvWETH3x",
  stopLossPrice: 1500,
};

export async function stackWorld(): Promise<StackWorld> {
  const market = await deployMarket();
  const [alice, bob, keeper, stranger] = market.users;
  const stack = await deployStack(hre.ethers, {
    markets: localMarketAddresses(market),
    oracle: localOracleConfig(market),
    owner: market.deployer,
  });
  for (const user of [alice, bob]) await fund(market, user.address, { weth: parseEther("100") });
  return { market, stack, owner: market.deployer, alice, bob, keeper, stranger };
}

export interface VaultStackWorld extends StackWorld {
  created: CreatedVault;
}

/** The stack plus a 3x vault with a stop at 1500 created by the owner, `keeper` allow-listed, approved by alice and bob. */
export async function vaultStackWorld(): Promise<VaultStackWorld> {
  const world = await stackWorld();
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
