/**
 * The dashboard's demo story, on whatever network Hardhat runs it on: the local Aave V3 + Uniswap V3 market (real
 * bytecode), the vault stack and a 3x WETH/USDC vault with an allow-listed keeper; a 10 WETH deposit; the ETH price
 * moved by real swaps ($2,200, $2,134, $2,068, $1,900, one hour apart) with the keeper bot (scripts/lib/keeper) acting
 * after each move; a loosening change submitted (stop-loss $1,500 -> $1,400, pending for the timelock); 5 WETH for
 * the fourth user account (the one the browser test's wallet uses). Writes the deployment record the page reads.
 *
 *   npx hardhat node                       # another terminal
 *   npm run app:story                      # this story on it (deployments/localhost.json)
 *   npm run app                            # http://127.0.0.1:4173/
 *
 * app/test/e2e.ts runs the same story on the in-process network before it drives the browser.
 */
import hre from "hardhat";
import { parseEther } from "ethers";
import { deployMarket } from "../../scripts/lib/market/market";
import { advanceTime, fund, setMarketPrice } from "../../scripts/lib/market/market-helpers";
import { PRESET_3X, localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { createVault, deployStack } from "../../scripts/lib/deploy/deploy";
import { keeperPass } from "../../scripts/lib/keeper/keeper";
import { writeDeploymentRecord } from "../../scripts/lib/deploy/deployments";

const START_PRICE = 2000;
const STORY = [2200, 2134, 2068, 1900];

export async function runStory(recordDir?: string) {
  const { ethers } = hre;
  const market = await deployMarket(ethers, { ethPrice: START_PRICE });
  const { deployer } = market;
  const [alice, keeper, browserUser] = market.users;
  const stack = await deployStack(ethers, { markets: localMarketAddresses(market), oracle: localOracleConfig(market), owner: deployer });
  const settings = { ...PRESET_3X, name: "Levered WETH 3x", symbol: "lvWETH3x", cooldown: 3600, stopLossPrice: START_PRICE * 0.75 };
  const created = await createVault(ethers, stack.factory, deployer, { settings, keepers: [keeper.address], salt: "app-e2e" });
  const { vault } = created;
  // A second, empty vault: the list shows how a vault without a position reads.
  const empty = await createVault(ethers, stack.factory, deployer, { settings: { name: "Levered WETH 2x", symbol: "lvWETH2x", targetLeverage: 2 }, salt: "app-e2e-2x" });
  await fund(market, alice.address, { weth: parseEther("10") });
  await (await market.weth.connect(alice).getFunction("approve")(vault.target, parseEther("10"))).wait();
  await (await vault.connect(alice)["deposit(uint256,address)"](parseEther("10"), alice.address)).wait();
  const actions: { action: string; gasUsed: bigint }[] = [];
  for (const price of STORY) {
    await advanceTime(3600, market);
    await setMarketPrice(market, price);
    const pass = await keeperPass(ethers, stack.registry.target as string, keeper, { lens: stack.lens.target as string, log: () => {} });
    for (const a of pass.actions.filter((x) => x.ok)) actions.push({ action: a.action, gasUsed: a.gasUsed! });
  }
  // A loosening change: the stop-loss cut from $1500 to $1400 waits out the timelock.
  const xc = await vault.exitConfig();
  await (
    await vault.connect(deployer).setExitConfig({
      stopLossPrice: parseEther("1400"),
      takeProfitPrice: xc.takeProfitPrice,
      takeProfitLeverage: xc.takeProfitLeverage,
      trailBps: xc.trailBps,
      stopToDebtAsset: xc.stopToDebtAsset,
    })
  ).wait();
  await fund(market, browserUser.address, { weth: parseEther("5") });
  if (recordDir) process.env.DEPLOYMENTS_DIR = recordDir;
  const file = writeDeploymentRecord({
    network: hre.network.name === "hardhat" ? "localhost" : hre.network.name,
    chainId: 31337,
    deployer: deployer.address,
    module: stack.module.target as string,
    registry: stack.registry.target as string,
    factory: stack.factory.target as string,
    lens: stack.lens.target as string,
    markets: localMarketAddresses(market),
    oracle: localOracleConfig(market) as never,
    vaults: [{ address: empty.address, name: "Levered WETH 2x", symbol: "lvWETH2x", salt: empty.salt, creator: deployer.address, block: empty.receipt.blockNumber, settings: {} }, { address: created.address, name: settings.name, symbol: settings.symbol, salt: created.salt, creator: deployer.address, block: created.receipt.blockNumber, settings: {} }],
    updatedAt: new Date().toISOString(),
  });
  return { market, stack, vault, created, actions, browserUser, file };
}


if (require.main === module) {
  runStory()
    .then((s) => {
      console.log(`Vault ${s.created.address} (registry ${s.stack.registry.target}) on '${hre.network.name}'; keeper actions: ${s.actions.map((a) => a.action).join(", ") || "none"}`);
      console.log(`Wrote ${s.file}. Next: npm run app, then open http://127.0.0.1:4173/ (?rpc= for another node than http://127.0.0.1:8545)`);
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
